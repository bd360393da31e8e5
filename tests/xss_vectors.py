"""Cross-site scripting vectors for tests/test_xss.py: what residents, businesses and event registrants could type
into the fields the site shows back (idea title and description, comment, organisation name, registration name,
display name).

Every vector calls `__xss(N)` when it runs, N being its number: the browser test exposes that function to every
frame of the page and counts the calls. `{X}` in a template below stands for that call; `{N}` for the number
alone (a few vectors build the call themselves, encoded). Vectors that only run on a click, a hover or a focus
(an injected `onmouseover`, a `javascript:` link) are found by the test's audit of the page's elements instead.

Every vector fits the shortest field it goes into (a display name: 80 characters).
"""

import base64

MAX_LENGTH = 80

# (what it tries, template)
TEMPLATES = [
    # Plain markup.
    ("script tag", "<script>{X}</script>"),
    ("script tag, upper case", "<SCRIPT>{X}</SCRIPT>"),
    ("script with data: source", "<script src=data:,{X}></script>"),
    ("img onerror", "<img src=x onerror={X}>"),
    ("img onerror, quoted", '<img src="x" onerror="{X}">'),
    ("img onerror, no closing bracket", "<img src=x onerror={X}//"),
    ("svg onload", "<svg onload={X}>"),
    ("svg with script", "<svg><script>{X}</script></svg>"),
    ("svg animate onbegin", "<svg><animate onbegin={X} attributeName=x dur=1s>"),
    ("svg set onbegin", "<svg><set onbegin={X} attributeName=x to=1>"),
    ("svg javascript: link", '<svg><a href="javascript:{X}"><text y=9>x</text></a></svg>'),
    ("MathML javascript: link", '<math><mi href="javascript:{X}">x</mi></math>'),
    ("MathML mutation", "<math><mtext><table><mglyph><style><img src=x onerror={X}>"),
    ("body onload", "<body onload={X}>"),
    ("details ontoggle", "<details open ontoggle={X}>"),
    ("input autofocus onfocus", "<input autofocus onfocus={X}>"),
    ("select autofocus onfocus", "<select autofocus onfocus={X}></select>"),
    ("textarea autofocus onfocus", "<textarea autofocus onfocus={X}></textarea>"),
    ("contenteditable onfocus", "<div contenteditable autofocus onfocus={X}>x</div>"),
    ("video source onerror", "<video><source onerror={X}></video>"),
    ("audio onerror", "<audio src=x onerror={X}>"),
    ("marquee onstart", "<marquee onstart={X}>x</marquee>"),
    ("object javascript:", '<object data="javascript:{X}"></object>'),
    ("embed javascript:", '<embed src="javascript:{X}">'),
    ("iframe srcdoc", '<iframe srcdoc="<script>{X}</script>"></iframe>'),
    ("iframe javascript:", '<iframe src="javascript:{X}"></iframe>'),
    ("iframe data: HTML", '<iframe src="data:text/html,<script>{X}</script>"></iframe>'),
    ("form button formaction", "<form><button formaction=javascript:{X}>x</button></form>"),
    ("meta refresh", '<meta http-equiv=refresh content="0;url=javascript:{X}">'),
    ("base href", '<base href="javascript:{X}//">'),
    ("link javascript:", '<a href="javascript:{X}">x</a>'),
    ("link javascript: with a leading space", '<a href=" javascript:{X}">x</a>'),
    ("link javascript: with an entity tab", '<a href="jav&#x09;ascript:{X}">x</a>'),
    ("link data: HTML", '<a href="data:text/html,<script>{X}</script>">x</a>'),
    ("noscript breakout", '<noscript><p title="</noscript><img src=x onerror={X}>">'),
    ("filter evasion, nested tags", "<scr<script>ipt>{X}</scr</script>ipt>"),
    ("onerror through a computed name", "<img src=x onerror=window['__x'+'ss']({N})>"),
    ("onerror through base64", "<img src=x onerror=eval(atob('{B64}'))>"),
    ("entity-encoded handler", '<img src=x onerror="&#95;&#95;xss&#40;{N}&#41;">'),
    # Breaking out of an attribute or a script.
    ("attribute breakout, double quote", '"><img src=x onerror={X}>'),
    ("attribute breakout, single quote", "'><img src=x onerror={X}>"),
    ("attribute injection, onmouseover", '" onmouseover="{X}" x="'),
    ("attribute injection, autofocus onfocus", '" autofocus onfocus="{X}" x="'),
    ("attribute injection, single quotes", "' autofocus onfocus='{X}' x='"),
    ("script breakout", "</script><script>{X}</script>"),
    ("title breakout", "</title><script>{X}</script>"),
    ("textarea breakout", "</textarea><script>{X}</script>"),
    ("JavaScript string breakout, single", "'-{X}-'"),
    ("JavaScript string breakout, double", '";{X};//'),
    ("JSON breakout with an escaped bracket", "\\u003cscript\\u003e{X}\\u003c/script\\u003e"),
    ("comment breakout", "--><img src=x onerror={X}>"),
    ("CDATA breakout (feeds)", "]]><img src=x onerror={X}>"),
    ("comment with markup", "<!--<img src=x onerror={X}>-->"),
    # Encoded variants: must come back as typed, never decoded into markup.
    ("HTML entities", "&lt;script&gt;{X}&lt;/script&gt;"),
    ("percent-encoded", "%3Cscript%3E{X}%3C/script%3E"),
    ("full-width brackets", "\uff1cscript\uff1e{X}\uff1c/script\uff1e"),
    # CSS.
    ("style tag import", "<style>@import'javascript:{X}';</style>"),
    ("style attribute url()", '<p style="background:url(javascript:{X})">x</p>'),
    ("CSS expression()", '<p style="width:expression({X})">x</p>'),
    # Template injection: Django, Jinja, AngularJS, JavaScript template literals.
    ("template expression", "{{7*7}} {{{X}}}"),
    ("AngularJS sandbox escape", "{{constructor.constructor('{X}')()}}"),
    ("template tag", "{% debug %}{{ request }}<b>{X}</b>"),
    ("JavaScript template literal", "${{X}}"),
    # Markdown and rich-text tricks.
    ("markdown javascript: link", "[click](javascript:{X})"),
    ("markdown image onerror", '![x](x" onerror="{X})'),
    ("markdown autolink", "<javascript:{X}>"),
    # Tricks on urlize (descriptions and comments turn web addresses into links).
    ("urlize quote breakout", 'http://example.lv/"onmouseover="{X}"'),
    ("urlize with markup", "www.example.lv/<img src=x onerror={X}>"),
    ("urlize e-mail breakout", 'a@example.lv"><img src=x onerror={X}>'),
    ("urlize javascript: host", "javascript://example.lv/%0a{X}"),
]


def call(number):
    return f"__xss({number})"


def vectors():
    """[(number, what it tries, payload)], numbered from 1."""
    made = []
    for number, (label, template) in enumerate(TEMPLATES, start=1):
        encoded = base64.b64encode(call(number).encode()).decode()
        payload = template.replace("{X}", call(number)).replace("{N}", str(number)).replace("{B64}", encoded)
        made.append((number, label, payload))
    return made


VECTORS = vectors()
