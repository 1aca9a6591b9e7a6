"""Country data of the simulated world: name frequencies, cities, phone and postal conventions.

First and last names come from Faker's locale providers (with their frequency weights where Faker has
them); they are read once into NumPy arrays and sampled with NumPy, never through Faker calls per record.
Cities carry a postal-code stem and a phone area code so that a person's address, postal code and
phone number agree with each other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
from faker import Faker

COUNTRIES: tuple[str, ...] = ("US", "GB", "FR", "DE", "AU")
COUNTRY_WEIGHTS: tuple[float, ...] = (0.45, 0.20, 0.12, 0.13, 0.10)
FAKER_LOCALE: dict[str, str] = {"US": "en_US", "GB": "en_GB", "FR": "fr_FR", "DE": "de_DE", "AU": "en_AU"}
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("United States", "USA", "United States of America"),
    "GB": ("United Kingdom", "UK", "Great Britain", "England"),
    "FR": ("France", "FRANCE"),
    "DE": ("Germany", "Deutschland"),
    "AU": ("Australia", "AUS"),
}
CURRENCY: dict[str, str] = {"US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "AU": "AUD"}
LANGUAGE: dict[str, str] = {"US": "en", "GB": "en", "FR": "fr", "DE": "de", "AU": "en"}
CALLING_CODE: dict[str, str] = {"US": "1", "GB": "44", "FR": "33", "DE": "49", "AU": "61"}


@dataclass(frozen=True)
class City:
    """A city: name, postal-code stem (digits or UK outward codes), landline area code."""

    name: str
    postal: tuple[str, ...]
    area: str


CITIES: dict[str, tuple[City, ...]] = {
    "US": (
        City("New York", ("10001", "10011", "10024", "10128"), "212"),
        City("Los Angeles", ("90012", "90024", "90046"), "213"),
        City("Chicago", ("60601", "60614", "60657"), "312"),
        City("Houston", ("77002", "77019"), "713"),
        City("Phoenix", ("85004", "85016"), "602"),
        City("San Diego", ("92101", "92109"), "619"),
        City("San Francisco", ("94103", "94110", "94117"), "415"),
        City("Seattle", ("98101", "98103", "98115"), "206"),
        City("Denver", ("80202", "80205", "80218"), "303"),
        City("Boston", ("02108", "02116", "02134"), "617"),
        City("Newark", ("07102", "07104"), "973"),
        City("Hartford", ("06103", "06106"), "860"),
        City("Portland", ("97201", "97209"), "503"),
        City("Miami", ("33101", "33130"), "305"),
        City("Austin", ("78701", "78704"), "512"),
        City("Salt Lake City", ("84101", "84105"), "801"),
        City("Honolulu", ("96813", "96815"), "808"),
        City("Boulder", ("80302", "80304"), "720"),
        City("Burlington", ("05401", "05408"), "802"),
        City("Portsmouth", ("03801",), "603"),
    ),
    "GB": (
        City("London", ("SW1A", "E1", "N1", "SE15", "W2", "NW3", "EC1V"), "20"),
        City("Manchester", ("M1", "M14", "M20"), "161"),
        City("Birmingham", ("B1", "B15"), "121"),
        City("Leeds", ("LS1", "LS6"), "113"),
        City("Bristol", ("BS1", "BS8"), "117"),
        City("Edinburgh", ("EH1", "EH3"), "131"),
        City("Glasgow", ("G1", "G12"), "141"),
        City("Brighton", ("BN1", "BN2"), "1273"),
        City("Plymouth", ("PL1", "PL4"), "1752"),
        City("Newquay", ("TR7",), "1637"),
        City("Cardiff", ("CF10", "CF24"), "29"),
    ),
    "FR": (
        City("Paris", ("75001", "75011", "75015", "75018"), "1"),
        City("Marseille", ("13001", "13008"), "4"),
        City("Lyon", ("69001", "69003", "69007"), "4"),
        City("Toulouse", ("31000", "31400"), "5"),
        City("Nice", ("06000", "06300"), "4"),
        City("Nantes", ("44000", "44300"), "2"),
        City("Bordeaux", ("33000", "33800"), "5"),
        City("Biarritz", ("64200",), "5"),
        City("Chamonix-Mont-Blanc", ("74400",), "4"),
        City("Annecy", ("74000",), "4"),
        City("Grenoble", ("38000", "38100"), "4"),
        City("Bourg-en-Bresse", ("01000",), "4"),
    ),
    "DE": (
        City("Berlin", ("10115", "10247", "10437", "12047"), "30"),
        City("Hamburg", ("20095", "22767"), "40"),
        City("München", ("80331", "80469", "81667"), "89"),
        City("Köln", ("50667", "50823"), "221"),
        City("Frankfurt am Main", ("60311", "60594"), "69"),
        City("Stuttgart", ("70173", "70197"), "711"),
        City("Düsseldorf", ("40210", "40477"), "211"),
        City("Dresden", ("01067", "01099"), "351"),
        City("Leipzig", ("04103", "04109"), "341"),
        City("Freiburg im Breisgau", ("79098", "79102"), "761"),
        City("Garmisch-Partenkirchen", ("82467",), "8821"),
        City("Kiel", ("24103", "24105"), "431"),
    ),
    "AU": (
        City("Sydney", ("2000", "2010", "2026"), "2"),
        City("Melbourne", ("3000", "3141", "3182"), "3"),
        City("Brisbane", ("4000", "4101"), "7"),
        City("Perth", ("6000", "6160"), "8"),
        City("Adelaide", ("5000", "5067"), "8"),
        City("Gold Coast", ("4217", "4220"), "7"),
        City("Hobart", ("7000",), "3"),
        City("Canberra", ("2600", "2612"), "2"),
        City("Darwin", ("0800", "0810"), "8"),
        City("Byron Bay", ("2481",), "2"),
    ),
}
CITY_WEIGHTS_DECAY = 0.82
"""City ``k`` of a country gets weight ``decay**k``: the first cities are the big ones."""

STREET_WORDS: dict[str, tuple[str, ...]] = {
    "US": ("Street", "Avenue", "Road", "Boulevard", "Drive", "Lane", "Court", "Place"),
    "GB": ("Street", "Road", "Lane", "Avenue", "Close", "Gardens", "Terrace", "Way"),
    "FR": ("rue", "avenue", "boulevard", "place", "chemin", "allée"),
    "DE": ("straße", "weg", "allee", "platz", "ring", "gasse"),
    "AU": ("Street", "Road", "Avenue", "Parade", "Crescent", "Drive", "Place"),
}
STREET_ABBREVIATIONS: dict[str, str] = {
    "Street": "St",
    "Avenue": "Ave",
    "Road": "Rd",
    "Boulevard": "Blvd",
    "Drive": "Dr",
    "Lane": "Ln",
    "Court": "Ct",
    "Place": "Pl",
    "Close": "Cl",
    "Gardens": "Gdns",
    "Terrace": "Tce",
    "Parade": "Pde",
    "Crescent": "Cres",
    "Way": "Wy",
    "avenue": "av.",
    "boulevard": "bd",
    "place": "pl.",
    "chemin": "ch.",
    "allée": "all.",
    "straße": "str.",
    "platz": "pl.",
}
STREET_ROOTS: dict[str, tuple[str, ...]] = {
    "US": (
        "Main",
        "Oak",
        "Maple",
        "Pine",
        "Cedar",
        "Elm",
        "Washington",
        "Lake",
        "Hill",
        "Park",
        "Sunset",
        "Ridge",
        "Highland",
        "Mill",
        "Church",
        "Spring",
        "Forest",
        "River",
        "Walnut",
        "Jefferson",
    ),
    "GB": (
        "High",
        "Church",
        "Station",
        "Victoria",
        "Park",
        "Mill",
        "King",
        "Queen",
        "Manor",
        "Kingsway",
        "Albert",
        "York",
        "London",
        "Green",
        "Chapel",
        "Grange",
        "Windsor",
        "Meadow",
        "Orchard",
        "Bridge",
    ),
    "FR": (
        "de la République",
        "Victor Hugo",
        "Jean Jaurès",
        "de la Paix",
        "Pasteur",
        "du Général de Gaulle",
        "des Lilas",
        "de la Gare",
        "Voltaire",
        "Émile Zola",
        "du Moulin",
        "des Écoles",
        "Gambetta",
        "de l'Église",
        "Nationale",
        "des Alpes",
    ),
    "DE": (
        "Haupt",
        "Schul",
        "Garten",
        "Bahnhof",
        "Dorf",
        "Berg",
        "Wald",
        "Kirch",
        "Linden",
        "Birken",
        "Goethe",
        "Schiller",
        "Mozart",
        "Rosen",
        "Wiesen",
        "Müller",
        "Blumen",
        "Feld",
        "Tannen",
        "Sonnen",
    ),
    "AU": (
        "George",
        "King",
        "Queen",
        "Bay",
        "Beach",
        "Ocean",
        "Church",
        "Station",
        "High",
        "Victoria",
        "Harbour",
        "Wattle",
        "Banksia",
        "Marine",
        "Esplanade",
        "Coral",
        "Pacific",
        "Railway",
    ),
}

EMAIL_DOMAINS: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (
        ("gmail.com", 0.45),
        ("yahoo.com", 0.15),
        ("outlook.com", 0.12),
        ("hotmail.com", 0.1),
        ("icloud.com", 0.1),
        ("aol.com", 0.04),
        ("comcast.net", 0.04),
    ),
    "GB": (
        ("gmail.com", 0.4),
        ("hotmail.co.uk", 0.15),
        ("yahoo.co.uk", 0.1),
        ("btinternet.com", 0.1),
        ("outlook.com", 0.1),
        ("icloud.com", 0.08),
        ("sky.com", 0.07),
    ),
    "FR": (
        ("gmail.com", 0.35),
        ("orange.fr", 0.2),
        ("free.fr", 0.12),
        ("hotmail.fr", 0.12),
        ("laposte.net", 0.08),
        ("sfr.fr", 0.08),
        ("yahoo.fr", 0.05),
    ),
    "DE": (
        ("gmail.com", 0.3),
        ("web.de", 0.2),
        ("gmx.de", 0.2),
        ("t-online.de", 0.12),
        ("outlook.de", 0.08),
        ("yahoo.de", 0.05),
        ("posteo.de", 0.05),
    ),
    "AU": (
        ("gmail.com", 0.42),
        ("bigpond.com", 0.15),
        ("outlook.com", 0.12),
        ("hotmail.com", 0.1),
        ("icloud.com", 0.1),
        ("optusnet.com.au", 0.06),
        ("yahoo.com.au", 0.05),
    ),
}
WORK_DOMAIN_STEMS: tuple[str, ...] = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "massive",
    "northwind",
    "contoso",
    "fabrikam",
    "adventure-works",
    "litware",
)
WORK_DOMAIN_TLDS: dict[str, str] = {"US": "com", "GB": "co.uk", "FR": "fr", "DE": "de", "AU": "com.au"}

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Richard": ("Rick", "Dick", "Rich"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Johnny", "Jack"),
    "Michael": ("Mike", "Mick"),
    "Christopher": ("Chris",),
    "Matthew": ("Matt",),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Daniel": ("Dan", "Danny"),
    "Anthony": ("Tony",),
    "Charles": ("Charlie", "Chuck"),
    "David": ("Dave",),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Timothy": ("Tim",),
    "Benjamin": ("Ben",),
    "Nicholas": ("Nick",),
    "Alexander": ("Alex",),
    "Andrew": ("Andy", "Drew"),
    "Jonathan": ("Jon",),
    "Samuel": ("Sam",),
    "Patrick": ("Pat",),
    "Gregory": ("Greg",),
    "Kenneth": ("Ken",),
    "Ronald": ("Ron",),
    "Donald": ("Don",),
    "Douglas": ("Doug",),
    "Peter": ("Pete",),
    "Raymond": ("Ray",),
    "Lawrence": ("Larry",),
    "Gerald": ("Gerry",),
    "Frederick": ("Fred",),
    "Elizabeth": ("Liz", "Beth", "Betty", "Lizzie"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Catherine": ("Cathy", "Kate"),
    "Jennifer": ("Jen", "Jenny"),
    "Rebecca": ("Becky", "Becca"),
    "Susan": ("Sue", "Susie"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Deborah": ("Debbie", "Deb"),
    "Victoria": ("Vicky", "Tori"),
    "Jessica": ("Jess",),
    "Samantha": ("Sam",),
    "Alexandra": ("Alex", "Sandra"),
    "Christine": ("Chris", "Chrissy"),
    "Kimberly": ("Kim",),
    "Abigail": ("Abby",),
    "Natalie": ("Nat",),
    "Pamela": ("Pam",),
    "Stephanie": ("Steph",),
    "Amanda": ("Mandy",),
    "Barbara": ("Barb",),
    "Dorothy": ("Dot",),
    "Cynthia": ("Cindy",),
    "Theresa": ("Terri",),
    "Jacqueline": ("Jackie",),
    "Johann": ("Hans",),
    "Johannes": ("Hannes", "Hans"),
    "Katharina": ("Kathi", "Katja"),
    "Wolfgang": ("Wolf",),
    "Friedrich": ("Fritz",),
    "Maximilian": ("Max",),
    "Christian": ("Chris",),
    "Franziska": ("Franzi",),
    "Gabriele": ("Gabi",),
    "Stefanie": ("Steffi",),
    "Matthias": ("Matze",),
    "Christophe": ("Chris",),
    "Nicolas": ("Nico",),
    "Frédéric": ("Fred",),
    "Dominique": ("Dom",),
    "Guillaume": ("Guy",),
    "Alexandre": ("Alex",),
    "Mathilde": ("Mathou",),
}
"""Formal first name -> nicknames (about 80 formal names)."""

TRANSLITERATION: dict[str, str] = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "Ä": "Ae",
    "Ö": "Oe",
    "Ü": "Ue",
    "ß": "ss",
}


@dataclass(frozen=True)
class NamePool:
    """Names of one country as parallel arrays of values and sampling probabilities."""

    female: np.ndarray
    female_p: np.ndarray
    male: np.ndarray
    male_p: np.ndarray
    last: np.ndarray
    last_p: np.ndarray


def _values_and_weights(source: object) -> tuple[np.ndarray, np.ndarray]:
    """Turn a Faker name list (a weighted mapping or a plain sequence) into arrays."""
    if isinstance(source, dict):
        values = list(source.keys())
        weights = np.array(list(source.values()), dtype=np.float64)
    else:
        values = list(dict.fromkeys(source))  # type: ignore[call-overload]
        weights = np.ones(len(values), dtype=np.float64)
    return np.array(values, dtype=object), weights / weights.sum()


@cache
def name_pool(country: str) -> NamePool:
    """Name pool of a country, read from the Faker locale provider."""
    fake = Faker(FAKER_LOCALE[country])
    provider = next(p for p in fake.get_providers() if ".person." in type(p).__module__)
    female, female_p = _values_and_weights(provider.first_names_female)
    male, male_p = _values_and_weights(provider.first_names_male)
    last, last_p = _values_and_weights(provider.last_names)
    return NamePool(female, female_p, male, male_p, last, last_p)


def fold_ascii(text: str) -> str:
    """Drop accents: 'José Müller' -> 'Jose Muller'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def transliterate(text: str) -> str:
    """German-style transliteration first ('Müller' -> 'Mueller'), then plain accent folding."""
    for src, dst in TRANSLITERATION.items():
        text = text.replace(src, dst)
    return fold_ascii(text)


def city_weights(country: str) -> np.ndarray:
    """Sampling probabilities of the cities of a country."""
    weights = CITY_WEIGHTS_DECAY ** np.arange(len(CITIES[country]), dtype=np.float64)
    return weights / weights.sum()
