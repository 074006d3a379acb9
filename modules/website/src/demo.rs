//! The demo town's content: Sambreville's services with their opening
//! hours, a few news items and an event, in French.

use beffroi::prelude::*;

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const HOURS: &str = "<h2>Heures d'ouverture</h2>\
<ul><li>Lundi, mardi, jeudi et vendredi : de 8 h 30 à 12 h</li>\
<li>Mercredi : de 8 h 30 à 12 h et de 13 h 30 à 16 h</li>\
<li>Premier samedi du mois : de 9 h à 12 h (sauf en juillet et en août)</li></ul>";

pub(crate) fn add(w: &mut Writer<'_>) -> Result<()> {
    w.add_with(
        "/",
        "Document",
        fields(json!({
            "title": "Bienvenue à Sambreville",
            "description": "Le site officiel de la Ville de Sambreville : démarches, actualités et agenda.",
            "text": "<p>Sambreville réunit Auvelais, Arsimont, Falisolle, Keumiée, Moignelée, Tamines et Velaine-sur-Sambre. \
                     Vous trouverez ici les services communaux, leurs heures d'ouverture, les actualités et l'agenda de la ville.</p>",
        })),
        AddOptions { id: Some("accueil".into()), ..AddOptions::default() },
    )?;

    let services = w.add(
        "/",
        "Folder",
        fields(json!({
            "title": "Services communaux",
            "description": "Les services de l'administration communale et leurs heures d'ouverture.",
        })),
    )?;
    let list = [
        (
            "Population et état civil",
            "Cartes d'identité, passeports, permis de conduire, domiciliations, naissances, mariages et décès.",
            "<p>Le service Population délivre les cartes d'identité électroniques (eID), les Kids-ID, les passeports \
             et les permis de conduire. Le service État civil enregistre les naissances, les mariages, les cohabitations \
             légales et les décès.</p><p>Prenez rendez-vous par téléphone au <strong>071 26 02 11</strong>.</p>",
        ),
        (
            "Urbanisme",
            "Permis d'urbanisme, renseignements urbanistiques et divisions de biens.",
            "<p>Le service Urbanisme instruit les demandes de permis d'urbanisme et de permis d'environnement, \
             et délivre les renseignements urbanistiques demandés par les notaires.</p>\
             <p>Les consultations de plans se font uniquement sur rendez-vous.</p>",
        ),
        (
            "Travaux et environnement",
            "Voiries, espaces verts, propreté publique et collecte des déchets.",
            "<p>Signalez un nid-de-poule, un éclairage public défectueux ou un dépôt clandestin au service Travaux. \
             Le calendrier des collectes de déchets est disponible à l'accueil de l'hôtel de ville.</p>",
        ),
        (
            "Affaires sociales et CPAS",
            "Aide sociale, allocations, pensions et accompagnement des aînés.",
            "<p>Le Centre public d'action sociale (CPAS) accompagne les citoyens en difficulté. Le service des \
             Affaires sociales aide à introduire les demandes de pension et d'allocation pour personnes handicapées.</p>",
        ),
    ];
    for (title, description, text) in list {
        w.add(
            &services.path,
            "Document",
            fields(json!({
                "title": title,
                "description": description,
                "text": format!("{text}{HOURS}"),
            })),
        )?;
    }

    let news = w.add_with(
        "/",
        "Folder",
        fields(json!({
            "title": "Actualités",
            "description": "Les nouvelles de la Ville de Sambreville.",
        })),
        AddOptions {
            id: Some("actualites".into()),
            ..AddOptions::default()
        },
    )?;
    let items = [
        (
            "Travaux de réfection de la rue de la Station à Auvelais",
            "Du 7 au 18 décembre, la circulation sera interdite entre la place de la Gare et la rue Hicguet.",
            "<p>Une déviation est mise en place par la rue des Glaces Nationales. Les riverains gardent l'accès \
             à leur domicile. Les collectes de déchets sont maintenues.</p>",
        ),
        (
            "Le marché de Noël revient sur la place de Tamines",
            "Chalets, artisans locaux et animations pour les enfants les 12 et 13 décembre.",
            "<p>Une trentaine d'exposants vous attendent de 11 h à 20 h. Un service de navette gratuit relie \
             Auvelais, Arsimont et Tamines le samedi.</p>",
        ),
        (
            "Nouveaux horaires du service Population pendant les fêtes",
            "Le service Population sera fermé les 24, 25 et 31 décembre ainsi que le 1er janvier.",
            "<p>Pensez à commander votre carte d'identité ou votre passeport à temps si vous voyagez pendant \
             les vacances d'hiver.</p>",
        ),
    ];
    for (title, description, text) in items {
        w.add(
            &news.path,
            "News Item",
            fields(json!({"title": title, "description": description, "text": text})),
        )?;
    }
    more_news(w, &news.path)?;

    let agenda = w.add_with(
        "/",
        "Folder",
        fields(json!({
            "title": "Agenda",
            "description": "Les événements à Sambreville.",
        })),
        AddOptions {
            id: Some("agenda".into()),
            ..AddOptions::default()
        },
    )?;
    w.add(
        &agenda.path,
        "Event",
        fields(json!({
            "title": "Conseil communal",
            "description": "Séance publique du conseil communal.",
            "start": "2026-12-14T19:30:00+01:00",
            "end": "2026-12-14T22:30:00+01:00",
            "location": "Salle du conseil, hôtel de ville",
            "address": {"street": "Grand-Place", "postcode": "5060", "locality": "Sambreville", "lat": 50.4447, "lon": 4.6157},
            "contact_email": "secretariat@sambreville.be",
            "contact_phone": "+32 71 26 02 11",
            "text": "<p>L'ordre du jour est publié sept jours francs avant la séance. La séance est publique, \
                     sauf pour les points relatifs aux personnes.</p>",
        })),
    )?;

    more_events(w, &agenda.path)?;
    vie_communale(w)?;
    procedures(w)?;
    subsite(w)?;
    w.add(
        "/",
        "Link",
        fields(json!({
            "title": "Portail de la Wallonie",
            "description": "Les démarches régionales en ligne.",
            "remote_url": "https://www.wallonie.be/",
        })),
    )?;
    publish_all(w, "/")?;
    alert(w)?;
    home(w)
}

/// Publishes everything the demo added, as a town's reviewer would: new
/// items start private in the simple publication workflow.
fn publish_all(w: &mut Writer<'_>, path: &str) -> Result<()> {
    for child in w.children(path)? {
        if child.review_state.as_deref() == Some("private") {
            w.transition(&child.path, "publish", "")?;
        }
        publish_all(w, &child.path)?;
    }
    Ok(())
}

/// A date `days` from today at `hm` (hours and minutes), Belgian winter time.
fn at(days: i64, hm: &str) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{}T{hm}:00+01:00", day.format("%Y-%m-%d"))
}

/// Nine more news items, each with its category and topics, dated over the
/// last weeks so listings and feeds have an order.
fn more_news(w: &mut Writer<'_>, folder: &str) -> Result<()> {
    let items: [(&str, &str, &str, &str, &[&str]); 9] = [
        (
            "Recrutement : un ouvrier qualifié pour le service Travaux",
            "Contrat à durée indéterminée, candidatures jusqu'au 15 janvier.",
            "job_offer",
            "economics",
            &["economics"],
        ),
        (
            "Le conseil communal a adopté le budget 2027",
            "Les grandes orientations du budget voté en séance publique.",
            "council",
            "politics",
            &["politics", "citizenship"],
        ),
        (
            "Collecte des sapins de Noël",
            "Déposez votre sapin sans décoration devant chez vous le 8 janvier.",
            "life",
            "environment",
            &["environment"],
        ),
        (
            "Primes à la rénovation énergétique",
            "La Ville complète les primes régionales pour l'isolation des toitures.",
            "city_project",
            "habitat",
            &["habitat", "environment"],
        ),
        (
            "Nouvelle piste cyclable entre Auvelais et Tamines",
            "Deux kilomètres de piste séparée le long de la Sambre.",
            "works",
            "mobility",
            &["mobility", "sports"],
        ),
        (
            "Plaines de jeux communales : inscriptions ouvertes",
            "Pour les enfants de 3 à 12 ans pendant les congés de printemps.",
            "life",
            "education",
            &["education", "social"],
        ),
        (
            "Campagne de vaccination contre la grippe",
            "Séances au centre de santé pour les personnes de plus de 65 ans.",
            "life",
            "health",
            &["health", "social"],
        ),
        (
            "Communiqué : fermeture de la piscine pour entretien",
            "La piscine communale de Tamines est fermée deux semaines.",
            "press",
            "sports",
            &["sports"],
        ),
        (
            "Sambreville lauréate du prix « Commune propre »",
            "Le travail des équipes de propreté publique récompensé.",
            "press",
            "environment",
            &["environment", "territory"],
        ),
    ];
    for (i, (title, description, category, topic, topics)) in items.iter().enumerate() {
        w.add(
            folder,
            "News Item",
            fields(json!({
                "title": title,
                "description": description,
                "text": format!("<p>{description}</p><p>Renseignements auprès de l'administration communale, 071 26 02 11.</p>"),
                "news_category": category,
                "topics": topics,
                "effective": at(-(3 * i as i64) - 1, "09:00"),
                "audiences": if *topic == "education" { json!(["parent", "young"]) } else { json!([]) },
            })),
        )?;
    }
    Ok(())
}

/// Eleven more events: a weekly market, a three-day fair, concerts,
/// walks, courses, spread over the coming weeks.
fn more_events(w: &mut Writer<'_>, folder: &str) -> Result<()> {
    w.add(
        folder,
        "Event",
        fields(json!({
            "title": "Marché hebdomadaire d'Auvelais",
            "description": "Producteurs locaux, fruits, légumes et fromages chaque samedi matin.",
            "start": at(-14, "08:00"),
            "end": at(-14, "13:00"),
            "recurrence": "FREQ=WEEKLY;BYDAY=SA",
            "event_type": "activity",
            "event_categories": ["market"],
            "topics": ["economics"],
            "location": "Place communale d'Auvelais",
            "address": {"street": "Place communale", "postcode": "5060", "locality": "Auvelais"},
            "latitude": 50.4466,
            "longitude": 4.6326,
            "free_entry": true,
            "reduced_mobility": true,
        })),
    )?;
    w.add(
        folder,
        "Event",
        fields(json!({
            "title": "Foire agricole de Tamines",
            "description": "Trois jours de foire : bétail, matériel agricole, produits du terroir et fête foraine.",
            "start": at(-1, "10:00"),
            "end": at(1, "22:00"),
            "event_type": "event",
            "event_categories": ["fair", "party"],
            "topics": ["agriculture", "entertainment"],
            "location": "Parc de Tamines",
            "address": {"street": "Rue de la Station", "postcode": "5060", "locality": "Tamines"},
            "contact_name": "Comité des fêtes de Tamines",
            "contact_email": "fetes@sambreville.be",
            "free_entry": true,
        })),
    )?;
    let more: [(&str, &str, i64, &str, &str, &str, &str); 9] = [
        (
            "Concert de Noël de l'Harmonie royale",
            "L'harmonie interprète les classiques de Noël.",
            5,
            "20:00",
            "22:00",
            "concert",
            "culture",
        ),
        (
            "Balade nature le long de la Sambre",
            "Une promenade guidée de 6 km à la découverte des oiseaux.",
            8,
            "09:30",
            "12:00",
            "stroll",
            "environment",
        ),
        (
            "Conférence : rénover sa maison sans se ruiner",
            "Le guichet de l'énergie présente les primes et les bons gestes.",
            10,
            "19:00",
            "21:00",
            "conference",
            "habitat",
        ),
        (
            "Exposition des artistes sambrevillois",
            "Peintures, sculptures et photographies d'une vingtaine d'artistes.",
            12,
            "14:00",
            "18:00",
            "exhibition",
            "culture",
        ),
        (
            "Stage multisports pour les 6-12 ans",
            "Cinq matinées de sport au hall omnisports.",
            20,
            "09:00",
            "12:00",
            "course",
            "sports",
        ),
        (
            "Séance de cinéma en plein air",
            "Projection gratuite d'un film familial.",
            25,
            "20:30",
            "23:00",
            "cinema",
            "entertainment",
        ),
        (
            "Brocante de Velaine",
            "Plus de 200 exposants dans les rues du village.",
            30,
            "07:00",
            "16:00",
            "market",
            "entertainment",
        ),
        (
            "Théâtre wallon : « Li Mariadje da Titine »",
            "La troupe de Falisolle joue sa nouvelle pièce.",
            34,
            "20:00",
            "22:30",
            "theatre",
            "culture",
        ),
        (
            "Jogging de la Sambre",
            "5 et 10 km, départ et arrivée au stade d'Auvelais.",
            40,
            "10:00",
            "13:00",
            "sport",
            "sports",
        ),
    ];
    for (title, description, days, from, to, category, topic) in more {
        w.add(
            folder,
            "Event",
            fields(json!({
                "title": title,
                "description": description,
                "start": at(days, from),
                "end": at(days, to),
                "event_type": "event",
                "event_categories": [category],
                "topics": [topic],
                "location": "Sambreville",
                "text": format!("<p>{description}</p>"),
                "ticket_url": if category == "theatre" { json!("https://www.sambreville.be/billetterie") } else { Value::Null },
                "free_entry": category != "theatre",
            })),
        )?;
    }
    Ok(())
}

/// "Vie communale": the council, the college, the town in figures.
fn vie_communale(w: &mut Writer<'_>) -> Result<()> {
    let folder = w.add_with(
        "/",
        "Folder",
        fields(json!({
            "title": "Vie communale",
            "description": "Le conseil communal, le collège et la ville en chiffres.",
            "layout": "summary",
        })),
        AddOptions {
            id: Some("vie-communale".into()),
            ..AddOptions::default()
        },
    )?;
    let pages = [
        ("Le conseil communal", "29 conseillers élus pour six ans, qui se réunissent une fois par mois en séance publique.", "politics"),
        ("Le collège communal", "Le bourgmestre, les échevins et le président du CPAS gèrent les affaires courantes.", "politics"),
        ("Sambreville en chiffres", "28 000 habitants, 7 villages, 34 km² le long de la Sambre.", "territory"),
    ];
    for (title, description, topic) in pages {
        let page = w.add(
            &folder.path,
            "Document",
            fields(json!({"title": title, "description": description, "topics": [topic], "page_category": "publication"})),
        )?;
        w.add(
            &page.path,
            "Text Section",
            fields(json!({"title": "En bref", "text": format!("<p>{description}</p>")})),
        )?;
    }
    let council = format!("{}/le-conseil-communal", folder.path);
    w.add(
        &council,
        "Map Section",
        fields(json!({
            "title": "Où se réunit le conseil ?",
            "address": {"street": "Grand-Place", "postcode": "5060", "locality": "Sambreville"},
            "latitude": 50.4447,
            "longitude": 4.6157,
        })),
    )?;
    Ok(())
}

/// "Démarches": procedures with their button.
fn procedures(w: &mut Writer<'_>) -> Result<()> {
    let folder = w.add_with(
        "/",
        "Folder",
        fields(json!({"title": "Démarches", "description": "Vos démarches administratives, en ligne ou au guichet."})),
        AddOptions {
            id: Some("demarches".into()),
            ..AddOptions::default()
        },
    )?;
    let list = [
        (
            "Demander un extrait d'acte de naissance",
            "Un extrait ou une copie d'acte, gratuit, envoyé par courrier ou par e-mail.",
            "act",
            "extrait-acte-naissance",
            "online",
        ),
        (
            "Obtenir un certificat de composition de ménage",
            "Le certificat, signé électroniquement, en quelques minutes.",
            "certificate",
            "composition-menage",
            "online",
        ),
        (
            "Renouveler sa carte d'identité",
            "Prenez rendez-vous au service Population avec une photo récente.",
            "identity",
            "",
            "appointment",
        ),
        (
            "Demander un permis d'urbanisme",
            "Construire, transformer ou démolir : le dossier à introduire.",
            "permit",
            "",
            "more",
        ),
    ];
    for (title, description, category, form, button) in list {
        w.add(
            &folder.path,
            "Procedure",
            fields(json!({
                "title": title,
                "description": description,
                "text": format!("<p>{description}</p><h2>Documents à fournir</h2><ul><li>Votre carte d'identité</li></ul>"),
                "procedure_category": category,
                "eguichet_form": form,
                "procedure_url": "https://www.wallonie.be/fr/demarches",
                "button_label": button,
                "audiences": ["newcomer"],
            })),
        )?;
    }
    Ok(())
}

/// A collaborative section for the tourist office.
fn subsite(w: &mut Writer<'_>) -> Result<()> {
    let sub = w.add_with(
        "/",
        "Subsite",
        fields(json!({
            "title": "Maison du tourisme",
            "description": "Le site de la Maison du tourisme Val de Sambre, au sein du site de la Ville.",
            "text": "<p>Balades, hébergements et découvertes du Val de Sambre.</p>",
        })),
        AddOptions {
            id: Some("tourisme".into()),
            ..AddOptions::default()
        },
    )?;
    for (title, description) in [
        ("Balades", "Les promenades balisées de l'entité."),
        ("Hébergements", "Gîtes, chambres d'hôtes et hôtels."),
    ] {
        w.add(
            &sub.path,
            "Document",
            fields(json!({"title": title, "description": description, "topics": ["tourism"], "audiences": ["tourist"]})),
        )?;
    }
    Ok(())
}

/// A site alert, shown for the coming month.
fn alert(w: &mut Writer<'_>) -> Result<()> {
    let a = w.add(
        "/",
        "Alert",
        fields(json!({
            "title": "Travaux rue de la Station",
            "message": "La rue de la Station à Auvelais est fermée à la circulation jusqu'au 18 décembre ; suivez la déviation.",
            "level": "warning",
            "link": "${portal_url}/actualites/travaux-de-refection-de-la-rue-de-la-station-a-auvelais",
            "effective": at(-1, "00:00"),
            "expires": at(30, "00:00"),
        })),
    )?;
    w.transition(&a.path, "publish", "")?;
    Ok(())
}

/// The home page: sections with the latest news, the coming events and
/// quick links; the root shows it.
fn home(w: &mut Writer<'_>) -> Result<()> {
    let home = w
        .get("/accueil")?
        .ok_or_else(|| Error::NotFound("/accueil".into()))?;
    w.update(&home.path, fields(json!({"exclude_from_nav": true})), None)?;
    w.add(
        &home.path,
        "Query Section",
        fields(json!({"title": "Actualités", "query_types": ["News Item"], "query_limit": 3})),
    )?;
    w.add(
        &home.path,
        "Query Section",
        fields(json!({"title": "Agenda", "query_types": ["Event"], "query_limit": 4})),
    )?;
    let links = w.add(
        &home.path,
        "Links Section",
        fields(json!({"title": "Accès rapides"})),
    )?;
    for (title, url) in [
        ("Démarches en ligne", "${portal_url}/demarches"),
        ("Services communaux", "${portal_url}/services-communaux"),
        (
            "Conseil communal",
            "${portal_url}/vie-communale/le-conseil-communal",
        ),
        ("Maison du tourisme", "${portal_url}/tourisme"),
    ] {
        w.add(
            &links.path,
            "Link",
            fields(json!({"title": title, "remote_url": url})),
        )?;
    }
    publish_all(w, &home.path)?;
    w.update("/", fields(json!({"default_page": home.uid})), None)?;
    Ok(())
}
