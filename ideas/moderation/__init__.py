"""Staff moderation in the Wagtail admin: the ideas queue and each idea's moderation page, bulk actions,
comments, reports and exports. Registered in ideas/wagtail_hooks.py under the "Participation" menu.

Permissions come from ideas/rules.py through `user.has_perm` (see permissions.py); status changes go through
ideas/services.change_status, which records the public history and the audit log and queues the e-mails.
"""
