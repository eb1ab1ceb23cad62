"""Fill the site with a small, fictional newsroom to click through: `manage.py load_demo` (its readers'
comments: `manage.py load_demo_comments`, after it).

Safe to run again: every row is looked up by its slug first, so a second run creates
nothing and leaves editors' changes to demo rows alone. Images that are already on
disk are not drawn again.
"""

import datetime
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from articles.models import Article, Author, Section, Source, Tag

SOURCES = [
    {
        "slug": "harbour-city-courier",
        "name": "Harbour City Courier",
        "homepage": "https://courier.example.com/",
        "feed_url": "https://courier.example.com/feeds/latest.xml",
        "notes": "Demo outlet. Syndication under the regional content-sharing agreement.",
    },
    {
        "slug": "midland-ledger",
        "name": "The Midland Ledger",
        "homepage": "https://ledger.example.org/",
        "feed_url": "https://ledger.example.org/rss/business",
        "notes": "Demo outlet. Business desk only.",
    },
    {
        "slug": "northern-science-wire",
        "name": "Northern Science Wire",
        "homepage": "https://sciencewire.example.net/",
        "feed_url": "",
        "notes": "Demo outlet. Free to republish with credit.",
    },
]

SECTIONS = [
    {"slug": "news", "name": "News", "position": 0, "description": "What happened in and around Easton Bay."},
    {"slug": "business", "name": "Business", "position": 1, "description": "Companies, jobs and the local economy."},
    {"slug": "culture", "name": "Culture", "position": 2, "description": "Music, books, theatre and the arts."},
    {"slug": "science", "name": "Science", "position": 3, "description": "Research from the region's labs."},
]

AUTHORS = [
    {"slug": "maria-okafor", "name": "Maria Okafor", "bio": "City hall reporter."},
    {"slug": "tom-brandt", "name": "Tom Brandt", "bio": "Business editor."},
    {"slug": "aiko-tanaka", "name": "Aiko Tanaka", "bio": "Arts and culture writer."},
    {"slug": "samuel-reyes", "name": "Samuel Reyes", "bio": "Science correspondent."},
]

TAGS = [
    {"slug": "transport", "name": "Transport"},
    {"slug": "housing", "name": "Housing"},
    {"slug": "city-council", "name": "City council"},
    {"slug": "climate", "name": "Climate"},
    {"slug": "technology", "name": "Technology"},
    {"slug": "arts", "name": "Arts"},
]


@dataclass
class LeadImage:
    """A generated lead image: a two-colour gradient with shapes and a word on it."""

    label: str
    top: tuple
    bottom: tuple
    caption: str
    credit: str = "Illustration: Newsroom demo"

    @property
    def alt(self):
        return f"Illustration: the word {self.label} over a colour gradient and simple shapes"


@dataclass
class DemoArticle:
    slug: str
    headline: str
    dek: str
    section: str
    authors: list
    tags: list
    paragraphs: list
    age: datetime.timedelta | None  # how long ago it went live; negative: scheduled; None: a draft
    source: str | None = None
    source_path: str = ""
    image: LeadImage | None = None
    comments_enabled: bool = True
    status: str = Article.Status.PUBLISHED


def days(d, hours=0):
    return datetime.timedelta(days=d, hours=hours)


STORIES = [
    DemoArticle(
        slug="council-approves-eastern-tram-line",
        headline="Council approves new tram line to the eastern districts",
        dek="The 9-kilometre route will link Fenwick Market with the hospital and the new housing at Saltmarsh.",
        section="news",
        authors=["maria-okafor"],
        tags=["transport", "city-council"],
        source="harbour-city-courier",
        source_path="/2026/local/council-approves-eastern-tram-line",
        age=days(0, 3),
        image=LeadImage(
            "TRAM",
            (18, 72, 120),
            (120, 190, 210),
            "The eastern line would branch off the existing route at the Mill River bridge.",
        ),
        paragraphs=[
            "Easton Bay city council voted 31 to 12 on Tuesday night to build a tram line to the eastern "
            "districts, ending a decade of debate over how to serve the city's fastest-growing neighbourhoods.",
            "The 9-kilometre route will run from Fenwick Market through Saltmarsh to the General Hospital, "
            "with 14 stops. The council's transport committee estimates the cost at 410 million, of which the "
            "regional government has agreed to pay 60 per cent.",
            "Construction is due to start next spring. The first trams would run in 2029 if the work keeps "
            "to schedule, the committee's chair, Helen Marsh, told the meeting.",
            "Opponents argued that an express bus lane would cost a fifth as much. The council will publish "
            "the full business case on its website next week.",
        ],
    ),
    DemoArticle(
        slug="water-main-break-closes-riverside-avenue",
        headline="Water main break closes Riverside Avenue for two days",
        dek="About 300 homes had low water pressure overnight; repairs should finish on Thursday.",
        section="news",
        authors=["maria-okafor"],
        tags=["city-council"],
        source="harbour-city-courier",
        source_path="/2026/local/riverside-avenue-water-main",
        age=days(2, 5),
        paragraphs=[
            "A 60-year-old water main burst under Riverside Avenue early on Monday, flooding part of the "
            "road and leaving about 300 homes with low water pressure overnight.",
            "The water company said crews had isolated the pipe by 7 a.m. and that supply was back to normal "
            "for all households by the afternoon.",
            "Riverside Avenue will stay closed between Dock Street and Carver Lane until Thursday while the "
            "pipe is replaced. Buses 3 and 11 are diverted along Harbour Road.",
        ],
    ),
    DemoArticle(
        slug="housing-board-sets-aside-flats-for-key-workers",
        headline="Housing board sets aside 400 flats for key workers",
        dek="Nurses, teachers and bus drivers will be offered rents capped at a third of their pay.",
        section="news",
        authors=["maria-okafor", "tom-brandt"],
        tags=["housing", "city-council"],
        age=days(5, 2),
        image=LeadImage(
            "HOMES",
            (120, 60, 40),
            (230, 180, 120),
            "The first 120 flats are in the Saltmarsh development, finished last year.",
        ),
        paragraphs=[
            "The Easton Bay housing board will reserve 400 of its flats for key workers over the next two "
            "years, it announced on Friday.",
            "Nurses, teachers, care workers and bus drivers who work in the city will be able to apply from "
            "next month. Rents will be capped at a third of the tenant's take-home pay.",
            "The board's director, Alan Oduya, said the city's hospitals had 180 vacancies that managers "
            "blamed on the cost of housing. The scheme will be reviewed after its first year.",
        ],
    ),
    DemoArticle(
        slug="regional-bank-profits-rise-as-lending-recovers",
        headline="Regional bank posts higher profits as lending recovers",
        dek="Midland Savings says mortgage demand is back to where it was three years ago.",
        section="business",
        authors=["tom-brandt"],
        tags=["housing"],
        source="midland-ledger",
        source_path="/business/2026/midland-savings-half-year-results",
        age=days(1, 4),
        image=LeadImage(
            "BANK",
            (20, 80, 60),
            (140, 200, 150),
            "Midland Savings' pre-tax profit rose for the third half-year in a row.",
        ),
        paragraphs=[
            "Midland Savings, the region's largest building society, reported a pre-tax profit of 84 million "
            "for the first half of the year, up 12 per cent on the same period last year.",
            "New mortgage lending rose by a fifth, the society said, as falling interest rates brought buyers "
            "back to the market. Arrears stayed below one per cent of loans.",
            "The chief executive, Ruth Amadi, said the society would open two branches next year, reversing a "
            "decade of closures.",
        ],
    ),
    DemoArticle(
        slug="port-handles-record-container-volumes",
        headline="Port of Easton Bay handles record container volumes",
        dek="A new crane and longer opening hours lifted traffic by 9 per cent.",
        section="business",
        authors=["tom-brandt"],
        tags=["transport"],
        source="midland-ledger",
        source_path="/business/2026/port-record-volumes",
        age=days(4, 6),
        paragraphs=[
            "The Port of Easton Bay handled 1.2 million containers in the twelve months to June, the most in "
            "its history, according to figures published by the port authority.",
            "The authority credited a third ship-to-shore crane, which started work in January, and the "
            "decision to keep the container terminal open around the clock on weekdays.",
            "Unions welcomed the figures but said the port needed to hire more crane operators to avoid "
            "relying on overtime.",
        ],
    ),
    DemoArticle(
        slug="family-bakery-chain-opens-tenth-shop",
        headline="Family-run bakery chain opens its tenth shop",
        dek="Crumb & Daughter started with one oven in a Dock Street basement in 1998.",
        section="business",
        authors=["tom-brandt"],
        tags=[],
        age=days(7, 1),
        comments_enabled=False,
        paragraphs=[
            "Crumb & Daughter, the bakery that began in a Dock Street basement, opened its tenth shop on "
            "Saturday, in the new arcade at Fenwick Market.",
            "The company employs 140 people and bakes everything at a single site in the Northgate industrial "
            "estate, delivering to its shops before 6 a.m. each day.",
            "Its managing director, Clara Crumb, said the family had no plans to sell, despite two offers "
            "from national chains in the past year.",
        ],
    ),
    DemoArticle(
        slug="corn-exchange-reopens-as-concert-hall",
        headline="Old Corn Exchange reopens as a concert hall after three-year restoration",
        dek="The 1864 building now seats 900 and has a new organ.",
        section="culture",
        authors=["aiko-tanaka"],
        tags=["arts"],
        source="harbour-city-courier",
        source_path="/2026/culture/corn-exchange-reopens",
        age=days(3, 8),
        image=LeadImage(
            "HALL",
            (70, 30, 90),
            (210, 150, 200),
            "The main hall, where grain was traded until 1962.",
        ),
        paragraphs=[
            "The Corn Exchange on Market Square reopened on Friday as a 900-seat concert hall, three years "
            "after it closed for a restoration that cost 38 million.",
            "Builders repaired the iron roof, replaced the glass of the lantern and dug out a basement for "
            "rehearsal rooms. The hall's new organ was built in the Netherlands and shipped in 40 crates.",
            "The Easton Bay Philharmonic will play there 30 times a year. The rest of the calendar is open to "
            "touring bands, school concerts and, twice a year, a farmers' market that nods to the building's past.",
        ],
    ),
    DemoArticle(
        slug="library-seed-bank-first-season",
        headline="Library lends out 10,000 seeds in the first season of its seed bank",
        dek="Borrowers are asked to bring back seeds from their own harvest in the autumn.",
        section="culture",
        authors=["aiko-tanaka"],
        tags=["climate"],
        source="harbour-city-courier",
        source_path="/2026/culture/library-seed-bank",
        age=days(8, 3),
        paragraphs=[
            "Northgate Library has lent out more than 10,000 packets of seeds since it opened a seed bank in "
            "March, the city's libraries service said.",
            "Tomatoes, runner beans and sunflowers were the most borrowed. Members may take five packets a "
            "month and are asked to return seeds from their own plants at the end of the season.",
            "The service plans to add seed banks at two more branches next year.",
        ],
    ),
    DemoArticle(
        slug="salmon-tracked-in-mill-river",
        headline="Researchers track returning salmon in the Mill River with acoustic tags",
        dek="Early results suggest the fish pass built in 2023 is working.",
        section="science",
        authors=["samuel-reyes"],
        tags=["climate"],
        source="northern-science-wire",
        source_path="/stories/2026/mill-river-salmon-tags",
        age=days(2, 9),
        image=LeadImage(
            "RIVER",
            (10, 50, 90),
            (80, 170, 160),
            "The Mill River below the weir at Carver's Mill.",
        ),
        paragraphs=[
            "Biologists at Easton Bay University have fitted acoustic tags to 60 Atlantic salmon returning "
            "up the Mill River, to learn how many get past the weir at Carver's Mill.",
            "Receivers along the river log each fish as it swims by. So far 41 of the tagged salmon have "
            "passed the weir using the fish pass built in 2023, the team said.",
            "The project's lead, Dr Ingrid Solberg, said warmer summers made the study urgent: salmon stop "
            "migrating when the water is above about 20 degrees.",
        ],
    ),
    DemoArticle(
        slug="sodium-iron-battery-test",
        headline="University team tests a battery made from sodium and iron",
        dek="The cells use no lithium or cobalt and are meant for storing solar power overnight.",
        section="science",
        authors=["samuel-reyes"],
        tags=["technology", "climate"],
        source="northern-science-wire",
        source_path="/stories/2026/sodium-iron-battery",
        age=days(9, 2),
        image=LeadImage(
            "CELLS",
            (60, 60, 70),
            (240, 190, 60),
            "Test cells in the university's energy laboratory.",
        ),
        paragraphs=[
            "Engineers at Easton Bay University have built a shipping-container-sized battery from sodium and "
            "iron cells and connected it to the solar panels on the campus sports hall.",
            "The materials are cheap and plentiful, the team said, though the cells store less energy for "
            "their weight than lithium-ion ones, which matters less for batteries that never move.",
            "The trial will run for a year. The university plans to publish the results, including how much "
            "capacity the cells lose, in a peer-reviewed journal.",
        ],
    ),
    DemoArticle(
        slug="budget-talks-what-the-mayor-will-propose",
        headline="Budget talks: what the mayor is expected to propose",
        dek="Draft, not for publication.",
        section="news",
        authors=["maria-okafor"],
        tags=["city-council"],
        age=None,
        status=Article.Status.DRAFT,
        paragraphs=["Notes for the budget preview. To be finished after Thursday's briefing."],
    ),
    DemoArticle(
        slug="night-trains-return-to-coast-line",
        headline="Night trains return to the coast line this weekend",
        dek="Services every hour between midnight and 5 a.m. on Fridays and Saturdays.",
        section="news",
        authors=["maria-okafor"],
        tags=["transport"],
        source="harbour-city-courier",
        source_path="/2026/local/night-trains-coast-line",
        age=-days(2),
        status=Article.Status.SCHEDULED,
        paragraphs=[
            "Night trains will run on the coast line again from this weekend, for the first time since 2020.",
            "Trains will leave Easton Bay Central every hour from midnight to 5 a.m. on Friday and Saturday "
            "nights, calling at all stations to Port Carrow.",
        ],
    ),
]


class Command(BaseCommand):
    help = "Load a small fictional newsroom (sources, sections, stories with images). Safe to re-run."

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        self.created = 0
        with transaction.atomic():
            sources = {row["slug"]: self.get_or_create(Source, row) for row in SOURCES}
            sections = {row["slug"]: self.get_or_create(Section, row) for row in SECTIONS}
            authors = {row["slug"]: self.get_or_create(Author, row) for row in AUTHORS}
            tags = {row["slug"]: self.get_or_create(Tag, row) for row in TAGS}
            now = timezone.now()
            for story in STORIES:
                self.load_article(story, now, sources, sections, authors, tags)

        if self.verbosity >= 1:
            public = Article.objects.published().filter(slug__in=[s.slug for s in STORIES]).count()
            self.stdout.write(
                f"Demo newsroom: {len(SOURCES)} sources, {len(SECTIONS)} sections, {len(AUTHORS)} authors, "
                f"{len(TAGS)} tags, {len(STORIES)} stories ({public} public). "
                + (f"Created {self.created} rows." if self.created else "Nothing new: it was already loaded.")
            )

    def get_or_create(self, model, row):
        obj, created = model.objects.get_or_create(slug=row["slug"], defaults=row)
        if created:
            self.created += 1
            if self.verbosity >= 2:
                self.stdout.write(f"  + {model._meta.verbose_name}: {obj}")
        return obj

    def load_article(self, story, now, sources, sections, authors, tags):
        source = sources[story.source] if story.source else None
        article = self.get_or_create(
            Article,
            {
                "slug": story.slug,
                "headline": story.headline,
                "dek": story.dek,
                "section": sections[story.section],
                "body": "".join(f"<p>{paragraph}</p>" for paragraph in story.paragraphs),
                "source": source,
                "source_url": source.homepage.rstrip("/") + story.source_path if source else "",
                "status": story.status,
                "published_at": now - story.age if story.age is not None else None,
                "comments_enabled": story.comments_enabled,
            },
        )
        if not article.authors.exists():
            article.authors.set([authors[slug] for slug in story.authors])
        if not article.tags.exists():
            article.tags.set([tags[slug] for slug in story.tags])
        if story.image and not (article.lead_image and article.lead_image.storage.exists(article.lead_image.name)):
            self.add_image(article, story.image)

    def add_image(self, article, spec):
        article.lead_image_alt = article.lead_image_alt or spec.alt
        article.lead_image_caption = article.lead_image_caption or spec.caption
        article.lead_image_credit = article.lead_image_credit or spec.credit
        name = f"{article.slug}.jpg"
        # The name matters: Django measures the image from this object, and skips a nameless one.
        article.lead_image.save(name, ContentFile(draw_image(spec), name=name), save=False)
        article.save()
        if self.verbosity >= 2:
            self.stdout.write(f"  + image: {article.lead_image.name}")


def draw_image(spec, size=(1200, 675)):
    """A JPEG: a vertical gradient, a few translucent shapes and a word, all from Pillow."""
    width, height = size
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, spec.bottom), Image.new("RGB", size, spec.top), mask)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.ellipse((width * 0.62, -height * 0.2, width * 1.1, height * 0.65), fill=(255, 255, 255, 45))
    draw.rectangle((0, height * 0.72, width, height), fill=(0, 0, 0, 60))
    draw.polygon([(0, height), (width * 0.35, height * 0.45), (width * 0.7, height)], fill=(255, 255, 255, 30))
    image = Image.alpha_composite(image.convert("RGBA"), overlay)
    draw = ImageDraw.Draw(image)
    draw.text((60, height * 0.76), spec.label, font=_font(110), fill=(255, 255, 255, 235))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def _font(size):
    try:
        return ImageFont.load_default(size=size)  # needs FreeType, which Pillow's wheels include
    except (AttributeError, ImportError, OSError):
        return ImageFont.load_default()
