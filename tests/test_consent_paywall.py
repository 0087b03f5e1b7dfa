"""Cookie and consent messages (rules/generic/consent.yaml), subscription prompts
(rules/generic/paywall.yaml) and prose-shaped promotion and comment-policy paragraphs
(newsletter.yaml, comments.yaml), each kind in its wordings and languages; and body paragraphs
that mention cookies, subscriptions, newsletters or comments, which must stay.

Every input here was written for these tests (no benchmark page, no case file)."""
from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.article import Block
from cleaner.rules import apply_rules
from cleaner.rules.load import load_file, shipped_rules_dir

GENERIC = shipped_rules_dir() / "generic"


def generic_rules():
    rules = []
    for path in sorted(GENERIC.glob("*.yaml")):
        loaded = load_file(path)
        assert isinstance(loaded, tuple)
        rules.extend(loaded)
    return tuple(rules)


RULES = generic_rules()


def label_one(text: str) -> Block:
    block = Block(text=text)
    apply_rules([block], RULES, "generic")
    return block


def removed_by(text: str) -> str | None:
    """The id of the generic rule that removes this block on its own, or None."""
    b = label_one(text)
    return b.label.rule if b.label is not None and b.label.removed else None


# ---------------------------------------------------------------- cookie and consent messages

@pytest.mark.parametrize("text", [
    # English banners, one sentence or several, and their headings and buttons
    "We use cookies to give you the best experience on our website.",
    "This website uses cookies to improve your browsing experience and to show you relevant adverts.",
    "We use a small number of necessary cookies to keep this service running securely.",
    "We would also like to set optional analytics cookies to help us understand how visitors use the site.",
    "We'd like to set additional cookies so that we can remember your settings.",
    "By clicking “Agree”, you consent to our use of cookies and similar technologies on this device.",
    "By continuing to browse this site you agree to our use of cookies.",
    "You can change your cookie preferences at any time from the link in the footer.",
    "To find out more about the cookies we use, see our privacy notice.",
    "Strictly necessary cookies are always on because the site cannot work without them.",
    "Our partners and we store cookies on your device to measure traffic and personalise adverts.",
    "Notice: we use cookies on this site to remember your preferences.",
    "We value your privacy",
    "Your privacy choices",
    "Cookie settings",
    "Cookies on the Harbour Licensing Portal",
    "Hide this cookie message",
    "How we use cookies",
    "Accept all cookies",
    "Reject all",
    "Accept",
    "Manage preferences",
    "Use necessary cookies only",
    "Accept additional cookies Reject additional cookies View cookies",
    # The ad industry's consent dialog
    "We and our 812 partners store and/or access information on a device, such as unique IDs.",
    "You can object to processing based on legitimate interest at any time in the settings.",
    # German, French, Spanish, Italian, Portuguese, Dutch
    "Wir verwenden Cookies, um Inhalte zu personalisieren und die Zugriffe auf unsere Website zu analysieren.",
    "Diese Webseite nutzt Cookies, damit wir Ihnen das beste Nutzererlebnis bieten können.",
    "Alle akzeptieren",
    "Nur notwendige Cookies",
    "Cookie-Einstellungen",
    "Nous utilisons des cookies pour mesurer l'audience et vous proposer des contenus adaptés.",
    "En poursuivant votre navigation, vous acceptez le dépôt de cookies sur votre appareil.",
    "Tout accepter",
    "Continuer sans accepter",
    "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
    "Este sitio web utiliza cookies para analizar el tráfico.",
    "Aceptar todas",
    "Configuración de cookies",
    "Utilizziamo i cookie per offrirti la migliore esperienza sul nostro sito.",
    "Questo sito utilizza cookie tecnici e di profilazione.",
    "Rifiuta tutto",
    "Este site utiliza cookies para melhorar a sua experiência de navegação.",
    "Ao continuar a navegar, concorda com a utilização de cookies.",
    "Aceitar todos",
    "Wij gebruiken cookies om onze website goed te laten werken.",
    "Deze website maakt gebruik van cookies om het gebruik te analyseren.",
    "Alles accepteren",
    "Cookie-instellingen",
])
def test_cookie_and_consent_messages_are_removed(text):
    b = label_one(text)
    assert b.label is not None and b.label.removed, text
    assert b.label.category == "legal"


@pytest.mark.parametrize("text", [
    # Body prose about cookie law, tracking, or biscuits: no rule may touch it.
    "Regulators found that many websites still set tracking cookies before visitors have agreed to them.",
    "The court ruled that a pre-ticked box is not valid consent for storing cookies on a user's device.",
    "Privacy campaigners say the banners have trained people to click accept without reading anything.",
    "We use cookies from a family bakery down the road, the café's owner said, and they sell out by noon.",
    "Her grandmother's oatmeal cookies won first prize at the county fair three years running.",
    "Several publishers told the committee they would lose a third of their advertising income without third-party cookies.",
    "The browser maker has delayed its plan to phase out cookies until next year.",
    "Cookies",
    "Accept the facts, the coach told his players after the defeat.",
    "Wir verwenden seit Jahren dieselben Rezepte, sagt die Bäckerin, nur die Preise haben sich geändert.",
    "Les régulateurs estiment que de nombreux sites déposent encore des cookies sans consentement.",
])
def test_body_prose_about_cookies_stays(text):
    assert removed_by(text) is None, text


# ---------------------------------------------------------------- subscription prompts

@pytest.mark.parametrize("text", [
    # price per week or month
    "Only $1 a week for your first year",
    "Just £4.99 per month",
    "Nur 1,99 € pro Woche",
    "Ab 9,90 € im Monat",
    "Seulement 1 € par mois",
    "Solo 0,99 € al mes",
    "R$ 1,90 por mês",
    "Slechts € 2 per week",
    "€3/month, then €9/month",
    # cancel any time
    "Cancel anytime",
    "Monatlich kündbar",
    "Sans engagement",
    "Cancela cuando quieras",
    "Disdici quando vuoi",
    "Cancele quando quiser",
    "Maandelijks opzegbaar",
    # already a subscriber, log in
    "Already have a subscription? Log in",
    "Du hast bereits ein Abo? Jetzt einloggen",
    "Bereits Abonnent? Anmelden",
    "Déjà abonné ? Se connecter",
    "¿Ya eres suscriptor? Inicia sesión",
    "Sei già abbonato? Accedi",
    "Já é assinante? Entre",
    "Al abonnee? Log in",
    "Hier anmelden",
    # read on with a subscription, unlimited access
    "Unlimited digital access to all our journalism",
    "Unbegrenzter Zugang zu allen Plus-Artikeln",
    "Weiterlesen mit Digital-Abo",
    "Lesen Sie alle Artikel mit dem Premium-Abo.",
    "Read this article and more with a digital subscription",
    "Continuez à lire cet article avec votre abonnement",
    "Accès illimité à tous nos articles",
    "Sigue leyendo con tu suscripción digital",
    "Accesso illimitato a tutti gli articoli",
    "Continue lendo com a assinatura digital",
    "Lees verder met een abonnement",
    # free trial, subscribe buttons
    "Start your free trial",
    "First month free",
    "Jetzt 30 Tage kostenlos testen",
    "Essai gratuit pendant un mois",
    "Prueba gratis 14 días",
    "Primo mese gratis",
    "Primeiro mês grátis",
    "Eerste maand gratis",
    "Jetzt abonnieren",
    "Abonnez-vous",
])
def test_subscription_prompts_are_removed(text):
    b = label_one(text)
    assert b.label is not None and b.label.removed, text
    assert b.label.category in ("paywall", "newsletter", "related", "navigation"), (text, b.label)


@pytest.mark.parametrize("text", [
    "The paper now charges $1 a week for digital access, its publisher said in a memo to staff.",
    "Subscriptions cost 2,95 Euro pro Woche, sagte der Verlag, und seien jederzeit kündbar.",
    "Readers who already have a subscription will not be charged again, the company said.",
    "The streaming service lets customers cancel any time, which regulators want others to copy.",
    "Die Zeitung bietet ihren Lesern seit Montag einen unbegrenzten Zugang zu allen Archivartikeln an.",
    "Le journal a perdu des abonnés depuis la hausse du prix à 1 € par semaine.",
    "El diario asegura que ya tiene más suscriptores digitales que lectores en papel.",
])
def test_body_prose_about_subscriptions_stays(text):
    assert removed_by(text) is None, text


# ---------------------------------------------------------------- prose-shaped promotion and comment policy

@pytest.mark.parametrize("text, category", [
    ("Comments are moderated and will appear once they have been approved by an editor, which may take "
     "up to a day.", "comments"),
    ("We welcome your comments, but please stay on topic and be respectful to other readers; comments "
     "that include abuse or personal attacks will be removed.", "comments"),
    ("Please read our community guidelines before posting a comment.", "comments"),
    ("Comments on this story are closed.", "comments"),
    ("Kommentare werden vor der Veröffentlichung von der Redaktion geprüft.", "comments"),
    ("Les commentaires sont modérés avant publication.", "comments"),
    ("Reacties worden gemodereerd.", "comments"),
    ("Sign up for our morning newsletter to get the five stories you need to know about, along with "
     "analysis from our reporters, in your inbox before breakfast.", "newsletter"),
    ("Want more stories like this? Sign up for our weekly email and never miss an update.", "newsletter"),
    ("Enjoyed this article? Subscribe to our newsletter for more.", "newsletter"),
    ("Get the day's top headlines delivered to your inbox every weekday morning.", "newsletter"),
    ("Melden Sie sich für unseren kostenlosen Newsletter an und erhalten Sie jeden Morgen die wichtigsten "
     "Nachrichten.", "newsletter"),
    ("Inscrivez-vous à notre newsletter pour recevoir chaque semaine nos meilleures enquêtes.", "newsletter"),
])
def test_prose_promotion_and_comment_policy_are_removed(text, category):
    b = label_one(text)
    assert b.label is not None and b.label.removed, text
    assert b.label.category == category


@pytest.mark.parametrize("text", [
    "The council said comments from residents would be reviewed before the plan goes to a vote in June.",
    "More than 4,000 people signed up for the newsletter in its first week, the charity said.",
    "The site closed its comments section in 2019, arguing that most debate had moved to social media.",
    "Critics said the moderation rules left too much to the discretion of a small team in another country.",
])
def test_body_prose_about_newsletters_and_comments_stays(text):
    assert removed_by(text) is None, text


# ---------------------------------------------------------------- whole documents

ARTICLE = [
    "The harbour authority approved a plan on Tuesday to replace the ageing ferry fleet with three "
    "electric boats, the first of which should enter service next spring.",
    "Officials said the new boats would cut fuel costs by half and make the crossing noticeably quieter "
    "for people living along the waterfront.",
    "Some commuters worried that the charging stations would not be ready in time, but the operator "
    "said construction was already ahead of schedule.",
    "Websites selling tickets for the ferry will also stop setting tracking cookies, after complaints "
    "from passengers about targeted adverts.",
]


def test_a_several_sentence_cookie_message_above_the_article_goes():
    banner = [
        "Cookies on the Harbour Ferry Service",
        "We use some necessary cookies to make this site work.",
        "We would also like to set analytics cookies so we can see how you use the site and improve it.",
        "Accept analytics cookies Reject analytics cookies View cookies",
        "You can change your cookie settings at any time.",
        "Hide this cookie message",
    ]
    doc = "\n\n".join(banner + ["Electric ferries approved for the harbour crossing"] + ARTICLE) + "\n"
    art = clean(doc, site_rules=False)
    for line in banner:
        assert line not in art.text
    for para in ARTICLE:
        assert para in art.text          # the body paragraph about cookies stays
    assert art.title == "Electric ferries approved for the harbour crossing"


def test_a_german_paywall_prompt_below_the_article_goes():
    body = [
        "Die Stadtwerke wollen bis zum Herbst an allen Schulen der Stadt Solaranlagen auf die Dächer "
        "bringen, kündigte der Bürgermeister am Montag an.",
        "Die Kosten von rund vier Millionen Euro sollen zur Hälfte aus einem Förderprogramm des Landes "
        "kommen, den Rest übernimmt die Stadt.",
        "Wer die Zeitung bereits abonniert hat, kann die Sitzung des Stadtrats am Donnerstag auch im "
        "Livestream verfolgen, teilte der Verlag mit.",
    ]
    prompt = [
        "Unbegrenzter Zugang zu allen Plus-Artikeln",
        "Lesen Sie diesen Artikel und alle weiteren Inhalte mit dem Digital-Abo.",
        "Nur 1,99 € pro Woche",
        "Monatlich kündbar",
        "Jetzt abonnieren",
        "Bereits Abonnent? Hier anmelden",
    ]
    doc = "Solarstrom für alle Schulen\n\n" + "\n\n".join(body + prompt) + "\n"
    art = clean(doc, site_rules=False)
    for line in prompt:
        assert line not in art.text.splitlines(), line
    for para in body:
        assert para in art.text


def test_a_french_consent_dialog_and_a_closing_comment_policy_go():
    body = [
        "La mairie a présenté mardi un plan pour planter dix mille arbres dans les cours d'école d'ici "
        "à la fin de la décennie.",
        "Les parents d'élèves se sont félicités de l'annonce, tout en demandant que les travaux aient "
        "lieu pendant les vacances scolaires.",
        "Un collectif d'enseignants a rappelé que plusieurs projets semblables avaient été abandonnés "
        "faute de budget.",
    ]
    dialog = [
        "Nous utilisons des cookies pour améliorer votre expérience et mesurer l'audience de notre site.",
        "Tout accepter",
        "Tout refuser",
        "Paramétrer les cookies",
    ]
    tail = ["Les commentaires sont modérés avant publication. Merci de rester courtois."]
    doc = "\n\n".join(dialog + ["Dix mille arbres pour les écoles"] + body + tail) + "\n"
    art = clean(doc, site_rules=False)
    for line in dialog + tail:
        assert line not in art.text
    for para in body:
        assert para in art.text
