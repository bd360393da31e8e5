"""Texts of the demo municipality (Ķekavas novads) in Latvian and English, read by the load_demo command.

Every text here was written for Kopā; the cooperation-network facts follow the municipality's news item of
1 July 2020 (URBACT network Cities4CSR).
"""

import datetime

DEPARTMENTS = [
    {
        "key": "development",
        "lv": "Attīstības un būvniecības pārvalde",
        "en": "Development and Construction Department",
        "email": "attistiba@kekava.example",
    },
    {
        "key": "communication",
        "lv": "Sabiedrisko attiecību nodaļa",
        "en": "Public Relations Department",
        "email": "komunikacija@kekava.example",
    },
    {
        "key": "community",
        "lv": "Sabiedrības līdzdalības nodaļa",
        "en": "Community Participation Department",
        "email": "lidzdaliba@kekava.example",
    },
]

SITE_TEXT = {
    "lv": {
        "site_name": "Ķekavas novads",
        "tagline": "Kopā veidojam zaļāku novadu",
        "footer_text": "<p>Ķekavas novada pašvaldības tīmekļvietne. Demonstrācijas saturs projektam Kopā.</p>",
    },
    "en": {
        "site_name": "Ķekava Municipality",
        "tagline": "Building a greener municipality together",
        "footer_text": "<p>Website of Ķekava Municipality. Demonstration content of the Kopā project.</p>",
    },
}

HOME = {
    "lv": {
        "title": "Sākums",
        "hero_heading": "Kopā par zaļāku Ķekavas novadu",
        "hero_text": (
            "Ķekava, Baloži, Baldone un pagasti: uzziniet jaunumus, piesakieties pasākumiem un iesaistieties "
            "lēmumos par to, kā mainās jūsu apkaime."
        ),
        "hero_cta_text": "Par novadu",
        "intro": (
            "<p>Pašvaldība jau vairākus gadus rīko <b>budžeta domnīcas</b>, kurās iedzīvotāji kopā ar "
            "speciālistiem apspriež, kam tērēt novada līdzekļus. Šī vietne ir nākamais solis: vieta, kur "
            "idejas var iesniegt, apspriest un atbalstīt ikviens.</p>"
        ),
    },
    "en": {
        "title": "Home",
        "hero_heading": "Together for a greener Ķekava Municipality",
        "hero_text": (
            "Ķekava, Baloži, Baldone and the parishes: read the news, sign up for events and take part in "
            "decisions about how your neighbourhood changes."
        ),
        "hero_cta_text": "About the municipality",
        "intro": (
            "<p>For several years the municipality has held <b>budget think-tanks</b>, workshops where "
            "residents and specialists discuss what the municipality's money should be spent on. This website "
            "is the next step: a place where anyone can submit, discuss and support ideas.</p>"
        ),
    },
}

ABOUT = {
    "lv": {
        "title": "Par novadu",
        "slug": "par-novadu",
        "intro": "Ķekavas novads atrodas uz dienvidiem no Rīgas, starp Daugavu un Misu.",
        "body": [
            ("heading", {"text": "Pilsētas un pagasti", "level": "h2"}),
            (
                "paragraph",
                "<p>Novadā ir trīs pilsētas (Ķekava, Baloži un Baldone) un vairāki pagasti ar ciemiem, mežiem un "
                "upju krastiem. Daudzi iedzīvotāji strādā Rīgā, tāpēc svarīgi ir droši gājēju un velosipēdu "
                "ceļi, sabiedriskais transports un vietas atpūtai tuvu mājām.</p>",
            ),
            ("heading", {"text": "Iedzīvotāju līdzdalība", "level": "h2"}),
            (
                "paragraph",
                "<p>Pašvaldība iesaista iedzīvotājus budžeta plānošanā: budžeta domnīcās apspriež prioritātes, "
                "bet līdzdalības budžetā iedzīvotāji paši iesaka un izvēlas projektus.</p>",
            ),
            (
                "quote",
                {
                    "text": "Labākās idejas par apkaimi ir tiem, kas tajā dzīvo katru dienu.",
                    "attribution": "Budžeta domnīcas dalībniece",
                },
            ),
        ],
    },
    "en": {
        "title": "About the municipality",
        "slug": "about",
        "intro": "Ķekava Municipality lies south of Riga, between the Daugava and the Misa rivers.",
        "body": [
            ("heading", {"text": "Towns and parishes", "level": "h2"}),
            (
                "paragraph",
                "<p>The municipality has three towns (Ķekava, Baloži and Baldone) and several parishes with "
                "villages, forests and river banks. Many residents work in Riga, so safe walking and cycling "
                "routes, public transport and places to relax close to home matter.</p>",
            ),
            ("heading", {"text": "Residents take part", "level": "h2"}),
            (
                "paragraph",
                "<p>The municipality involves residents in budget planning: budget think-tanks discuss "
                "priorities, and in the participatory budget residents propose and choose projects "
                "themselves.</p>",
            ),
            (
                "quote",
                {
                    "text": "The best ideas about a neighbourhood come from the people who live in it every day.",
                    "attribution": "A budget think-tank participant",
                },
            ),
        ],
    },
}

ACCESSIBILITY = {
    "lv": {
        "title": "Piekļūstamības paziņojums",
        "slug": "pieklustamibas-pazinojums",
        "intro": "Pašvaldība vēlas, lai šo vietni varētu lietot ikviens, arī cilvēki ar funkcionāliem traucējumiem.",
        "body": [
            ("heading", {"text": "Atbilstība", "level": "h2"}),
            (
                "paragraph",
                "<p>Vietne ir veidota atbilstoši WCAG 2.1 AA prasībām: to var lietot ar tastatūru, ekrāna "
                "lasītāju un palielinājumu, un visiem attēliem ir teksta apraksts. Piekļūstamību pārbaudām "
                "automatizēti un manuāli.</p>",
            ),
            ("heading", {"text": "Atsauksmes", "level": "h2"}),
            (
                "paragraph",
                "<p>Ja kāda vietnes daļa jums nav piekļūstama, rakstiet mums, izmantojot kontaktu formu. "
                "Atbildēsim 10 darba dienu laikā.</p>",
            ),
        ],
    },
    "en": {
        "title": "Accessibility statement",
        "slug": "accessibility-statement",
        "intro": "The municipality wants everyone, including people with disabilities, to be able to use this site.",
        "body": [
            ("heading", {"text": "Compliance", "level": "h2"}),
            (
                "paragraph",
                "<p>The site is built to WCAG 2.1 AA: it works with a keyboard, a screen reader and zoom, and "
                "every image has a text alternative. We check accessibility automatically and by hand.</p>",
            ),
            ("heading", {"text": "Feedback", "level": "h2"}),
            (
                "paragraph",
                "<p>If any part of the site is not accessible to you, write to us through the contact form. "
                "We answer within 10 working days.</p>",
            ),
        ],
    },
}

NEWS_INDEX = {
    "lv": {"title": "Jaunumi", "slug": "jaunumi", "intro": "Pašvaldības jaunumi un paziņojumi."},
    "en": {"title": "News", "slug": "news", "intro": "News and announcements from the municipality."},
}

EVENT_INDEX = {
    "lv": {"title": "Pasākumi", "slug": "pasakumi", "intro": "Mācības, darbnīcas un pasākumi iedzīvotājiem."},
    "en": {"title": "Events", "slug": "events", "intro": "Training, workshops and events for residents."},
}

CONTACT = {
    "lv": {
        "title": "Kontakti",
        "slug": "kontakti",
        "intro": "<p>Jautājumi, ierosinājumi vai sūdzības? Uzrakstiet mums, un mēs atbildēsim.</p>",
        "contact_details": "<p>Ķekava, LV-2123<br/>Tālrunis: +371 67 000 000<br/>E-pasts: info@kekava.example</p>",
        "thank_you_text": "<p>Paldies! Jūsu ziņa ir saņemta, atbildēsim iespējami drīz.</p>",
        "subject": "Ziņa no tīmekļvietnes kontaktu formas",
        "fields": [("Vārds, uzvārds", "singleline"), ("E-pasts", "email"), ("Ziņa", "multiline")],
    },
    "en": {
        "title": "Contact",
        "slug": "contact",
        "intro": "<p>Questions, suggestions or complaints? Write to us and we will answer.</p>",
        "contact_details": "<p>Ķekava, LV-2123<br/>Phone: +371 67 000 000<br/>E-mail: info@kekava.example</p>",
        "thank_you_text": "<p>Thank you! We have received your message and will answer as soon as we can.</p>",
        "subject": "Message from the website contact form",
        "fields": [("Name", "singleline"), ("E-mail", "email"), ("Message", "multiline")],
    },
}

PROJECT = {
    "lv": {
        "title": "Cities4CSR: pilsētas par korporatīvo sociālo atbildību",
        "slug": "cities4csr",
        "intro": (
            "Starptautisks URBACT sadarbības tīkls, kurā desmit Eiropas pilsētas pēta, kā pašvaldība un "
            "uzņēmēji kopā var uzlabot pilsētvidi. Ķekavas novads tajā pievēršas zaļajai mobilitātei, "
            "zaļākai apkārtnei un atpūtas iespējām."
        ),
        "programme": "URBACT III",
        "funding": "URBACT programma ar Eiropas Reģionālās attīstības fonda līdzfinansējumu",
        "body": [
            ("heading", {"text": "Ko dara Ķekavas novads", "level": "h2"}),
            (
                "paragraph",
                "<ul><li>zaļā mobilitāte un vides jautājumi;</li><li>zaļāka apkārtne un atpūtas vietas "
                "vietējās kopienās;</li><li>ieinteresēto pušu un iedzīvotāju iesaiste, vietējās identitātes "
                "stiprināšana;</li><li>mācības dažādām sabiedrības grupām un publisks pasākums par "
                "korporatīvo sociālo atbildību un ilgtspēju.</li></ul>",
            ),
        ],
        "contact_name": "Attīstības un būvniecības pārvalde",
        "partners": [
            ("Milānas pašvaldība", "Milāna", "Itālija", "lead"),
            ("Sofijas pašvaldība", "Sofija", "Bulgārija", "partner"),
            ("Vracas pašvaldība", "Vraca", "Bulgārija", "partner"),
            ("Ķekavas novada pašvaldība", "Ķekava", "Latvija", "partner"),
            ("Rijekas pilsēta", "Rijeka", "Horvātija", "partner"),
            ("Molina de Seguras pašvaldība", "Molina de Segura", "Spānija", "partner"),
            ("Gimarainšas pašvaldība", "Gimarainša", "Portugāle", "partner"),
            ("Budaērša pilsēta", "Budaērša", "Ungārija", "partner"),
            ("Bratislavas pilsēta", "Bratislava", "Slovākija", "partner"),
            ("Nantes Métropole", "Nante", "Francija", "partner"),
        ],
        "phases": [
            (
                "Otrā posma sākuma sanāksme tiešsaistē",
                datetime.date(2020, 6, 25),
                datetime.date(2020, 6, 26),
                "Visi partneri vienojās par turpmākajām aktivitātēm un to, kā darbu mainīs Covid-19 ierobežojumi.",
            ),
            (
                "Otrais posms: pieredzes apmaiņa un rīcības plāns",
                datetime.date(2020, 5, 1),
                datetime.date(2022, 8, 31),
                "Partneru pilsētas mācās cita no citas ar URBACT metodēm, un katra kopā ar vietējo rīcības "
                "grupu izstrādā savu rīcības plānu. Darbu atbalsta starptautiski eksperti.",
            ),
        ],
    },
    "en": {
        "title": "Cities4CSR: cities for corporate social responsibility",
        "slug": "cities4csr",
        "intro": (
            "An international URBACT network in which ten European cities explore how a municipality and "
            "local businesses can improve the urban environment together. Ķekava Municipality focuses on green "
            "mobility, greener surroundings and recreation."
        ),
        "programme": "URBACT III",
        "funding": "URBACT programme, co-financed by the European Regional Development Fund",
        "body": [
            ("heading", {"text": "What Ķekava Municipality works on", "level": "h2"}),
            (
                "paragraph",
                "<ul><li>green mobility and the environment;</li><li>greener surroundings and places for "
                "recreation in local communities;</li><li>involving stakeholders and residents, strengthening "
                "local identity;</li><li>training for different groups of residents and a public event on "
                "corporate social responsibility and sustainability.</li></ul>",
            ),
        ],
        "contact_name": "Development and Construction Department",
        "partners": [
            ("Municipality of Milan", "Milan", "Italy", "lead"),
            ("Sofia Municipality", "Sofia", "Bulgaria", "partner"),
            ("Vratsa Municipality", "Vratsa", "Bulgaria", "partner"),
            ("Ķekava Municipality", "Ķekava", "Latvia", "partner"),
            ("City of Rijeka", "Rijeka", "Croatia", "partner"),
            ("Municipality of Molina de Segura", "Molina de Segura", "Spain", "partner"),
            ("Municipality of Guimarães", "Guimarães", "Portugal", "partner"),
            ("Town of Budaörs", "Budaörs", "Hungary", "partner"),
            ("City of Bratislava", "Bratislava", "Slovakia", "partner"),
            ("Nantes Métropole", "Nantes", "France", "partner"),
        ],
        "phases": [
            (
                "Online kick-off meeting of phase two",
                datetime.date(2020, 6, 25),
                datetime.date(2020, 6, 26),
                "All partners agreed on the next activities and on how the Covid-19 restrictions change the work.",
            ),
            (
                "Phase two: exchange, learning and an action plan",
                datetime.date(2020, 5, 1),
                datetime.date(2022, 8, 31),
                "The partner cities learn from each other with URBACT methods, and each one drafts its own action "
                "plan with a local action group. International experts support the work.",
            ),
        ],
    },
}

# (key, date, department, tags lv, tags en, lv texts, en texts); body paragraphs are plain HTML.
NEWS = [
    {
        "key": "cities4csr",
        "date": datetime.date(2020, 7, 1),
        "department": "development",
        "image": "network",
        "lv": {
            "title": "Starptautiskā projektā risinās zaļās mobilitātes un vides jautājumus",
            "slug": "starptautiska-projekta-zala-mobilitate",
            "lead": (
                "Ķekavas novada pašvaldība ir partnere URBACT sadarbības tīklā Cities4CSR, kurā desmit Eiropas "
                "pilsētas meklē, kā korporatīvā sociālā atbildība var uzlabot pilsētvidi."
            ),
            "tags": ["Cities4CSR", "zaļā mobilitāte", "uzņēmēji"],
            "body": [
                "<p>URBACT programmas uzraudzības komiteja otrajam posmam apstiprināja 23 sadarbības tīklus. "
                "Sešos no tiem piedalās Latvijas partneri, un viens ir Cities4CSR, kurā darbojas Milāna, Sofija, "
                "Vraca, Ķekava, Rijeka, Molina de Segura, Gimarainša, Budaērša, Bratislava un Nantes Métropole.</p>",
                "<p>Korporatīvā sociālā atbildība nozīmē, ka uzņēmums brīvprātīgi savā darbā ņem vērā sabiedrības "
                "un vides intereses. Tīkla mērķis ir parādīt, kā pašvaldība un uzņēmēji var sadarboties "
                "pilsētvides uzlabošanā. Ķekavas novads tīklā ir līdzvērtīgs partneris, jo tam ir laba pieredze "
                "iedzīvotāju iesaistē, piemēram, budžeta domnīcās.</p>",
                "<p>Pirmajā posmā partneri izvērtēja situāciju savās pilsētās, sagatavoja pirmās risinājumu idejas "
                "un izveidoja vietējās rīcības grupas. Otrā posma sākuma sanāksme notika tiešsaistē 25. un "
                "26. jūnijā.</p>",
                "<p>No 2020. gada maija līdz 2022. gada augustam pilsētas apmainīsies ar pieredzi. Ķekavas novads "
                "pievērsīsies zaļajai mobilitātei, zaļākai apkārtnei un atpūtas iespējām, rīkos mācības dažādām "
                "iedzīvotāju grupām un publisku pasākumu par ilgtspēju.</p>",
            ],
        },
        "en": {
            "title": "International project takes on green mobility and the environment",
            "slug": "international-project-green-mobility",
            "lead": (
                "Ķekava Municipality is a partner in the URBACT network Cities4CSR, in which ten European cities "
                "look for ways corporate social responsibility can improve the urban environment."
            ),
            "tags": ["Cities4CSR", "green mobility", "businesses"],
            "body": [
                "<p>The URBACT programme's monitoring committee approved 23 networks for their second phase. "
                "Latvian partners take part in six of them; one is Cities4CSR, with Milan, Sofia, Vratsa, Ķekava, "
                "Rijeka, Molina de Segura, Guimarães, Budaörs, Bratislava and Nantes Métropole.</p>",
                "<p>Corporate social responsibility means that a business voluntarily takes the interests of "
                "society and the environment into account in its work. The network wants to show how a "
                "municipality and businesses can work together on the urban environment. Ķekava is an equal "
                "partner, recognised for its experience in involving residents, such as its budget "
                "think-tanks.</p>",
                "<p>In the first phase the partners analysed the situation in their cities, drafted first ideas for "
                "solutions and set up local action groups. The kick-off meeting of the second phase was held "
                "online on 25 and 26 June.</p>",
                "<p>From May 2020 to August 2022 the cities exchange experience. Ķekava Municipality will work on "
                "green mobility, greener surroundings and recreation, train different groups of residents and hold "
                "a public event on sustainability.</p>",
            ],
        },
    },
    {
        "key": "think-tank",
        "days_ago": 40,
        "department": "community",
        "image": "workshop",
        "lv": {
            "title": "Budžeta domnīcā iedzīvotāji apsprieda zaļākas apkaimes",
            "slug": "budzeta-domnica-zalakas-apkaimes",
            "lead": "Vairāk nekā 60 iedzīvotāji trijās darbnīcās vienojās par prioritātēm nākamā gada budžetam.",
            "tags": ["budžeta domnīca", "līdzdalība"],
            "body": [
                "<p>Darbnīcās Ķekavā, Baložos un Baldonē iedzīvotāji kopā ar pašvaldības speciālistiem "
                "vērtēja, kur visvairāk vajag jaunus kokus, soliņus un drošus gājēju ceļus.</p>",
                "<p>Visbiežāk minētās vajadzības bija apgaismoti celiņi uz skolām, ēnainas atpūtas vietas un "
                "vietas, kur novietot velosipēdus. Apkopojums būs pieejams pašvaldības vietnē.</p>",
            ],
        },
        "en": {
            "title": "Budget think-tank discusses greener neighbourhoods",
            "slug": "budget-think-tank-greener-neighbourhoods",
            "lead": "More than 60 residents agreed on priorities for next year's budget in three workshops.",
            "tags": ["budget think-tank", "participation"],
            "body": [
                "<p>In workshops in Ķekava, Baloži and Baldone, residents and municipal specialists looked at where "
                "new trees, benches and safe footpaths are needed most.</p>",
                "<p>The needs named most often were lit paths to schools, shaded places to rest and places to park "
                "bicycles. A summary will be published on the municipality's website.</p>",
            ],
        },
    },
    {
        "key": "participatory-budget",
        "days_ago": 12,
        "department": "community",
        "image": "park",
        "lv": {
            "title": "Drīz sāksies līdzdalības budžeta ideju pieteikšana",
            "slug": "lidzdalibas-budzeta-ideju-pieteiksana",
            "lead": (
                "Iedzīvotāji varēs iesniegt idejas zaļākai apkaimei, videi draudzīgai pārvietošanās un atpūtai, "
                "un labākās īstenos par pašvaldības līdzekļiem."
            ),
            "tags": ["līdzdalības budžets", "līdzdalība"],
            "body": [
                "<p>Likums nosaka, ka katra pašvaldība daļu sava budžeta atvēl iedzīvotāju ierosinātiem projektiem. "
                "Ķekavas novadā šos līdzekļus novirzīs idejām, kas padara apkaimi zaļāku un ērtāku.</p>",
                "<p>Idejas varēs iesniegt šajā vietnē. Pašvaldības speciālisti tās izvērtēs, un pēc tam "
                "iedzīvotāji balsos par tām, kuras īstenot.</p>",
            ],
        },
        "en": {
            "title": "Ideas for the participatory budget can soon be submitted",
            "slug": "participatory-budget-ideas-soon",
            "lead": (
                "Residents will be able to submit ideas for greener neighbourhoods, green mobility and recreation, "
                "and the best ones will be carried out with municipal funds."
            ),
            "tags": ["participatory budget", "participation"],
            "body": [
                "<p>By law every municipality sets aside part of its budget for projects proposed by residents. "
                "In Ķekava Municipality this money goes to ideas that make neighbourhoods greener and easier to "
                "live in.</p>",
                "<p>Ideas can be submitted on this website. Municipal specialists will assess them, and then "
                "residents vote on which ones to carry out.</p>",
            ],
        },
    },
    {
        "key": "tree-planting",
        "days_ago": 25,
        "department": "communication",
        "image": "park",
        "lv": {
            "title": "Talkā Baložos iestādīti 120 koki",
            "slug": "talka-balozos-120-koki",
            "lead": "Iedzīvotāji, skolēni un vietējie uzņēmēji kopā apzaļumoja pilsētas parku.",
            "tags": ["zaļā vide", "uzņēmēji"],
            "body": [
                "<p>Sestdien Baložu parkā pulcējās ap simts talcinieku. Stādus dāvināja vietējie uzņēmumi, bet "
                "pašvaldība nodrošināja darbarīkus un dārznieku padomus.</p>",
            ],
        },
        "en": {
            "title": "120 trees planted at a community day in Baloži",
            "slug": "120-trees-planted-balozi",
            "lead": "Residents, pupils and local businesses greened the town park together.",
            "tags": ["green spaces", "businesses"],
            "body": [
                "<p>About a hundred volunteers gathered in the Baloži park on Saturday. Local businesses donated the "
                "saplings, and the municipality provided tools and advice from its gardeners.</p>",
            ],
        },
    },
    {
        "key": "bike-parking",
        "days_ago": 60,
        "department": "development",
        "image": "network",
        "lv": {
            "title": "Pie skolām uzstādīs jaunas velonovietnes",
            "slug": "pie-skolam-jaunas-velonovietnes",
            "lead": "Jaunās novietnes ar jumtu aicinās skolēnus uz skolu braukt ar velosipēdu.",
            "tags": ["zaļā mobilitāte"],
            "body": [
                "<p>Novietnes būs pie piecām novada skolām. Vietas izvēlētas kopā ar skolēnu pašpārvaldēm.</p>",
            ],
        },
        "en": {
            "title": "New bicycle shelters for schools",
            "slug": "new-bicycle-shelters-schools",
            "lead": "Covered bicycle shelters will encourage pupils to cycle to school.",
            "tags": ["green mobility"],
            "body": [
                "<p>The shelters will stand at five schools in the municipality. Their places were chosen together "
                "with the pupils' councils.</p>",
            ],
        },
    },
    {
        "key": "seniors-eservices",
        "days_ago": 5,
        "department": "communication",
        "image": "workshop",
        "lv": {
            "title": "Senioriem bezmaksas mācības par e-pakalpojumiem",
            "slug": "senioriem-macibas-e-pakalpojumi",
            "lead": "Nodarbībās mācīsies droši lietot e-pakalpojumus un pašvaldības vietni.",
            "tags": ["mācības", "seniori"],
            "body": [
                "<p>Mācības notiks nelielās grupās bibliotēkā. Līdzi jāņem savs tālrunis vai planšete, ja tāds "
                "ir; pārējo nodrošinās pašvaldība. Pieteikties var pasākumu sadaļā.</p>",
            ],
        },
        "en": {
            "title": "Free training on e-services for seniors",
            "slug": "free-training-e-services-seniors",
            "lead": "The sessions teach how to use e-services and the municipality's website safely.",
            "tags": ["training", "seniors"],
            "body": [
                "<p>The training takes place in small groups at the library. Bring your own phone or tablet if you "
                "have one; the municipality provides the rest. Sign up in the events section.</p>",
            ],
        },
    },
]

# Event times are relative to the day the demo is loaded, so the events stay upcoming.
EVENTS = [
    {
        "key": "seniors-training",
        "days_ahead": 9,
        "hour": 11,
        "hours": 2,
        "kind": "training",
        "audience": "seniors",
        "capacity": 12,
        "lv": {
            "title": "Mācības senioriem: e-pakalpojumi un drošība internetā",
            "slug": "macibas-senioriem-e-pakalpojumi",
            "lead": "Praktiska nodarbība par e-pakalpojumiem, krāpniecības atpazīšanu un pašvaldības vietni.",
            "venue_name": "Ķekavas bibliotēka",
            "venue_address": "Ķekava, LV-2123",
        },
        "en": {
            "title": "Training for seniors: e-services and staying safe online",
            "slug": "training-seniors-e-services",
            "lead": "A hands-on session on e-services, spotting online fraud and the municipality's website.",
            "venue_name": "Ķekava Library",
            "venue_address": "Ķekava, LV-2123",
        },
    },
    {
        "key": "youth-workshop",
        "days_ahead": 16,
        "hour": 15,
        "hours": 3,
        "kind": "workshop",
        "audience": "youth",
        "capacity": 20,
        "lv": {
            "title": "Jauniešu darbnīca: atpūtas vietas, kādas gribam",
            "slug": "jauniesu-darbnica-atputas-vietas",
            "lead": "Jaunieši no 13 līdz 25 gadiem kopā ar arhitekti zīmē idejas atpūtas vietām savā apkaimē.",
            "venue_name": "Baložu jauniešu centrs",
            "venue_address": "Baloži, LV-2112",
        },
        "en": {
            "title": "Youth workshop: the places to hang out we want",
            "slug": "youth-workshop-places-to-hang-out",
            "lead": "Young people aged 13 to 25 sketch ideas for recreation spots in their neighbourhood with an "
            "architect.",
            "venue_name": "Baloži Youth Centre",
            "venue_address": "Baloži, LV-2112",
        },
    },
    {
        "key": "sustainability-day",
        "days_ahead": 30,
        "hour": 12,
        "hours": 5,
        "kind": "public_event",
        "audience": "everyone",
        "capacity": None,
        "lv": {
            "title": "Ilgtspējas diena: uzņēmēji un iedzīvotāji kopā",
            "slug": "ilgtspejas-diena",
            "lead": (
                "Publisks pasākums par korporatīvo sociālo atbildību: vietējie uzņēmumi stāsta, kā palīdz "
                "apkaimei, un iedzīvotāji var piedāvāt kopīgus projektus."
            ),
            "venue_name": "Baldones kultūras nams",
            "venue_address": "Baldone, LV-2125",
        },
        "en": {
            "title": "Sustainability day: businesses and residents together",
            "slug": "sustainability-day",
            "lead": (
                "A public event on corporate social responsibility: local businesses show how they help their "
                "neighbourhoods, and residents can propose joint projects."
            ),
            "venue_name": "Baldone House of Culture",
            "venue_address": "Baldone, LV-2125",
        },
    },
    {
        "key": "past-think-tank",
        "days_ahead": -40,
        "hour": 18,
        "hours": 2,
        "kind": "workshop",
        "audience": "everyone",
        "capacity": 30,
        "lv": {
            "title": "Budžeta domnīca Ķekavā",
            "slug": "budzeta-domnica-kekava",
            "lead": "Iedzīvotāji un speciālisti kopā apsprieda nākamā gada budžeta prioritātes.",
            "venue_name": "Ķekavas novada pašvaldība",
            "venue_address": "Ķekava, LV-2123",
        },
        "en": {
            "title": "Budget think-tank in Ķekava",
            "slug": "budget-think-tank-kekava",
            "lead": "Residents and specialists discussed the priorities of next year's budget together.",
            "venue_name": "Ķekava Municipality",
            "venue_address": "Ķekava, LV-2123",
        },
    },
]

DEMO_USERS = [
    # username, password, group, is_superuser, e-mail
    ("admin", "kopa-admin-2026", None, True, "admin@kekava.example"),
    ("editor", "kopa-editor-2026", "Editors", False, "editor@kekava.example"),
    ("moderator", "kopa-moderator-2026", "Moderators", False, "moderator@kekava.example"),
    ("resident", "kopa-resident-2026", None, False, "resident@kekava.example"),
    ("resident2", "kopa-resident2-2026", None, False, "resident2@kekava.example"),
    # Acts for a verified business on the partners page (ideas/demo_partners.py); a resident like any other.
    ("business", "kopa-business-2026", None, False, "business@kekava.example"),
]
