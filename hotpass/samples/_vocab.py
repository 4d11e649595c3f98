"""Word lists the sample generator draws from.

Every organisation and person in the samples is invented: names are
combinations of common first names and surnames, organisation names are built
from invented or generic words, and subscriber digits of phone numbers are
random. Towns, provinces and dialling codes are real so that normalisers and
enrichment have something true to work with.
"""

from __future__ import annotations

# --- people -------------------------------------------------------------------------------------

MALE_FIRST = (
    "Andile Andre Anton Ashwin Bandile Barend Ben Bongani Brendan Bruce Calvin Carl Charl Chris "
    "Clive Craig Daniel Darren Deon Dewald Dirk Duncan Dylan Eben Ettienne Faizel Francois Frank "
    "Gareth Gavin Gerhard Graham Grant Hendrik Ian Imran Jaco Jacques James Jason Johan Jonathan "
    "Kagiso Karabo Keith Kevin Kobus Lebo Lesego Louis Luthando Mandla Marius Mark Martin Mpho "
    "Musa Neil Nico Nkosinathi Pieter Pravin Quinton Rajesh Reza Riaan Rob Ruan Sandile Sibusiso "
    "Simon Sipho Stefan Themba Thabo Theo Tumelo Vusi Warren Werner Wian Yusuf Zaid"
).split()

FEMALE_FIRST = (
    "Adele Aisha Alet Amanda Anele Anja Annelie Busisiwe Candice Carla Chantal Charlene Danielle "
    "Elmarie Elsabe Fatima Gugu Hayley Hlengiwe Ilse Jessica Juanita Karen Kayla Kholiwe Lerato "
    "Liezl Lindiwe Lisa Lungile Marelize Mariska Megan Michelle Naledi Nadia Nicole Nomsa "
    "Nompumelelo Palesa Precious Priya Refilwe Renee Riana Sadia Sarah Shanice Simone Sonja "
    "Tanya Thandeka Thandi Tshepiso Vanessa Yolandi Zanele Zinhle Zoe"
).split()

LAST = [
    name.replace("_", " ")
    for name in (
        "Abrahams Adams Bezuidenhout Bester Botha Brink Buthelezi Chetty Cloete Coetzee Daniels "
        "Dlamini Du_Plessis Du_Toit Engelbrecht Erasmus Ferreira Fourie Gerber Govender Greyling "
        "Hendricks Human Jacobs Jansen Joubert Kekana Khumalo Kruger Le_Roux Louw Mabaso Mahlangu "
        "Makhubela Maharaj Maluleke Marais Mathebula Meyer Mkhize Mnisi Modise Mokoena Molefe "
        "Moodley Mthembu Naicker Naidoo Ndlovu Nel Ngcobo Nkosi Ntuli Olivier Padayachee Pather "
        "Pienaar Pillay Potgieter Pretorius Reddy Robertson Sibiya Singh Sithole Smit Smith "
        "Steyn Swanepoel Terblanche Thompson Van_der_Merwe Van_Wyk Van_Zyl Venter Viljoen Visser "
        "Williams Xaba Zulu Dyson Hartley Mitchell Ramsay Cronje Lombard Zondi Khoza Radebe"
    ).split()
]

# Accented spellings people really type; a few of them keep normalisers honest.
ACCENTED_FIRST = {"Andre": "André", "Renee": "Renée", "Zoe": "Zoë", "Ettienne": "Ettiënne"}

# --- roles --------------------------------------------------------------------------------------

# canonical role -> ways a job-title cell writes it
ROLE_VARIANTS = {
    "Accountable Manager": ["Accountable Manager", "AM", "Acc. Manager", "Accountable Mgr"],
    "Chief Flight Instructor": ["Chief Flight Instructor", "CFI", "Chief Instructor"],
    "Head of Training": ["Head of Training", "HOT", "Training Manager"],
    "Managing Director": ["Managing Director", "MD", "Man. Director"],
    "Director": ["Director", "Dir."],
    "Owner": ["Owner", "Owner/Operator", "Proprietor"],
    "Operations Manager": ["Operations Manager", "Ops Manager", "Ops Mgr"],
    "Quality Manager": ["Quality Manager", "QM", "Quality Assurance Manager"],
    "Maintenance Manager": ["Maintenance Manager", "Maint. Manager", "Maintenance Mgr"],
    "Chief Pilot": ["Chief Pilot", "Chief pilot"],
    "Flight Instructor": ["Flight Instructor", "Instructor", "Grade II Instructor"],
    "Office Manager": ["Office Manager", "Admin", "Office Admin"],
    "Bookings Coordinator": ["Bookings Coordinator", "Bookings", "Reservations"],
    "Sales Manager": ["Sales Manager", "Sales", "Business Development"],
    "Safety Officer": ["Safety Officer", "Safety Manager", "SMS Manager"],
    "Chairperson": ["Chairperson", "Chairman", "Chair"],
    "Treasurer": ["Treasurer"],
    "Secretary": ["Secretary", "Club Secretary"],
}
PILOT_ROLES = {"Chief Flight Instructor", "Head of Training", "Chief Pilot", "Flight Instructor"}

# --- organisations ------------------------------------------------------------------------------

CATEGORIES = (
    "Flight School",
    "Approved Training Organisation",
    "Aircraft Maintenance Organisation",
    "Charter Operator",
    "Flying Club",
)
FLIGHT_SCHOOL, ATO, AMO, CHARTER, CLUB = range(5)

# How a CRM's "Category" column writes each category.
CATEGORY_LABELS = {
    FLIGHT_SCHOOL: ["Flight School", "Flight Training", "Flight school", "ATO"],
    ATO: ["ATO", "Training Organisation", "Aviation Training"],
    AMO: ["AMO", "Maintenance", "Aircraft Maintenance"],
    CHARTER: ["Charter", "Air Charter", "Operator (Part 135)"],
    CLUB: ["Club", "Flying Club", "Aero Club"],
}

# The words that follow the distinctive part of a name, per category.
TAILS = {
    FLIGHT_SCHOOL: [
        "Flight School",
        "Flight Academy",
        "Aviation Academy",
        "Aviation",
        "Flight Training",
        "Flight Training Centre",
        "Flying School",
        "Aero Academy",
        "Air Academy",
        "Pilot Academy",
        "Flight Centre",
        "School of Flight",
        "Aviation College",
        "Flight Academy International",
    ],
    ATO: [
        "Aviation Training Centre",
        "Training Academy",
        "Aviation Academy",
        "Aviation Training",
        "Aeronautical College",
        "Cabin Crew Academy",
        "Aviation Institute",
        "Simulator Centre",
        "Aviation Skills Academy",
        "Air Training Services",
        "Aviation Solutions",
        "Aviation Training Organisation",
    ],
    AMO: [
        "Aircraft Maintenance",
        "Aero Engineering",
        "Avionics",
        "Aero Services",
        "Aircraft Services",
        "Aviation Services",
        "Aero Technical",
        "Aircraft Engineering",
        "Aero Maintenance",
        "Propeller Services",
        "Aero Components",
        "Helicopter Maintenance",
        "Air Maintenance",
    ],
    CHARTER: [
        "Charters",
        "Air Charter",
        "Aviation",
        "Air Services",
        "Airways",
        "Jet Charter",
        "Helicopters",
        "Air",
        "Executive Jets",
        "Safari Air",
        "Air Taxi",
        "Aviation Charter",
        "Sky Charters",
    ],
    CLUB: [
        "Flying Club",
        "Aero Club",
        "Flyers",
        "Flyers Club",
        "Gliding Club",
        "Microlight Club",
        "Sport Aviation Club",
        "Aviators Club",
    ],
}

# Distinctive parts of names. "Nice" ones read like real brands; invented ones scale.
SINGLE_WORDS = [
    word.replace("_", " ")
    for word in (
        "Skyway Horizon Zenith Falcon Kestrel Albatross Apex Vortex Summit Aquila Stratus Cirrus "
        "Nimbus Altitude Meridian Compass Pegasus Phoenix Sabre Condor Osprey Harrier Swift Vector "
        "Vertex Orion Polaris Sirius Atlas Titan Frontier Pinnacle Spirit Legacy Liberty Heritage "
        "Pioneer Voyager Navigator Skyline Airborne Jetstream Tailwind Crosswind Skyhawk Skylark "
        "Bluebird Blackhawk Redwing Goldwing Silverline Starling Sunbird Hornbill Fish_Eagle "
        "Kingfisher Ibis Heron Egret Secretarybird Protea Baobab Acacia Marula Savanna Bushveld "
        "Highveld Lowveld Karoo Kalahari Namaqua Drakensberg Magalies Zululand Boland Overberg "
        "Garden_Route Wildcoast Sunshine Coastline Seabreeze Updraft Thermal Propwash Slipstream "
        "Contrail Runway Airside"
    ).split()
]

ADJECTIVES = (
    "Blue Silver Golden Red Black White Green Grey High Wide Open Clear Bright Swift True Free "
    "First Southern Northern Eastern Western Royal Proud Bold Noble Rapid Sunny Wild Cape "
    "African Coastal Mountain Valley Desert Ocean River"
).split()

NOUNS = (
    "Crane Eagle Falcon Kite Hawk Wing Wings Sky Skies Horizon Ridge Peak Sun Star Arrow Cloud "
    "Wind Vista Swallow Owl Condor Dove Comet Meteor Harbour Crest Lion Rhino Heron Ibis Bay "
    "Cliff Summit Dawn Sunrise"
).split()

SYLLABLE_START = (
    "Ae Al Am Ar Av Ba Be Bra Ca Co Cor Da Del Dra El Em Fa Fe Gal Ka Ke Kel Ko Ku La Le Li Lu "
    "Ma Me Mi Mo Na Ne No Ny Or Pa Pe Ra Re Ri Ro Sa Se Sol Ta Te Tha Ti Tor Va Ve Vi Za Ze Zu"
).split()
SYLLABLE_MID = "ba ca da de ga la le li lo ma mi na ne no ra re ri ro sa ta te ti va ve vi".split()
SYLLABLE_END = (
    "ra ron rin rix ton tis tia tex tra via vin vo vex von dor dan dex lo lon lux lia lix nar nex "
    "nia nix mar mex mo ros rus sa sor sys ta tan tar wa wyn xa xi ya zo zon cor con co ka kon"
).split()

# Fraction of a category's names drawn from each kind of distinctive part (small samples).
CORE_KIND_SHARES = {"nice": 0.55, "place": 0.12, "pair": 0.03, "invented": 0.30}


# How each canonical suffix is typed in the wild.
SUFFIX_VARIANTS = {
    "(Pty) Ltd": [
        "(Pty) Ltd",
        "Pty Ltd",
        "(PTY) LTD",
        "PTY LTD",
        "(Pty)Ltd",
        "Pty. Ltd.",
        "(Pty) Limited",
    ],
    "CC": ["CC", "cc", "C.C.", "Cc"],
    "Ltd": ["Ltd", "Limited", "LTD"],
    "NPC": ["NPC", "(NPC)", "npc"],
    "NPO": ["NPO", "(NPO)"],
    "": [""],
}

# --- places -------------------------------------------------------------------------------------

# town, province, dialling code (without the trunk 0), weight, old or informal names
TOWNS = [
    ("Johannesburg", "Gauteng", "11", 10, ["JHB", "Jhb", "Joburg"]),
    ("Germiston", "Gauteng", "11", 4, []),
    ("Lanseria", "Gauteng", "11", 5, []),
    ("Midrand", "Gauteng", "11", 4, []),
    ("Benoni", "Gauteng", "11", 3, []),
    ("Springs", "Gauteng", "11", 2, []),
    ("Krugersdorp", "Gauteng", "11", 2, ["Mogale City"]),
    ("Pretoria", "Gauteng", "12", 8, ["PTA", "Tshwane"]),
    ("Centurion", "Gauteng", "12", 4, []),
    ("Vereeniging", "Gauteng", "16", 2, []),
    ("Vanderbijlpark", "Gauteng", "16", 1, ["VDB Park"]),
    ("Heidelberg", "Gauteng", "16", 1, []),
    ("Cape Town", "Western Cape", "21", 8, ["CPT", "Kaapstad"]),
    ("Stellenbosch", "Western Cape", "21", 2, []),
    ("Paarl", "Western Cape", "21", 1, []),
    ("Worcester", "Western Cape", "23", 1, []),
    ("George", "Western Cape", "44", 3, []),
    ("Oudtshoorn", "Western Cape", "44", 1, []),
    ("Plettenberg Bay", "Western Cape", "44", 1, ["Plett"]),
    ("Mossel Bay", "Western Cape", "44", 1, []),
    ("Hermanus", "Western Cape", "28", 1, []),
    ("Malmesbury", "Western Cape", "22", 1, []),
    ("Beaufort West", "Western Cape", "23", 1, []),
    ("Durban", "KwaZulu-Natal", "31", 7, ["DBN", "eThekwini"]),
    ("Umhlanga", "KwaZulu-Natal", "31", 2, ["Umhlanga Rocks"]),
    ("Ballito", "KwaZulu-Natal", "32", 1, []),
    ("Pietermaritzburg", "KwaZulu-Natal", "33", 2, ["PMB", "Maritzburg"]),
    ("Richards Bay", "KwaZulu-Natal", "35", 1, []),
    ("Newcastle", "KwaZulu-Natal", "34", 1, []),
    ("Margate", "KwaZulu-Natal", "39", 1, []),
    ("Ladysmith", "KwaZulu-Natal", "36", 1, []),
    ("Gqeberha", "Eastern Cape", "41", 3, ["Port Elizabeth", "PE"]),
    ("East London", "Eastern Cape", "43", 2, ["EL"]),
    ("Mthatha", "Eastern Cape", "47", 1, ["Umtata"]),
    ("Makhanda", "Eastern Cape", "46", 1, ["Grahamstown"]),
    ("Komani", "Eastern Cape", "45", 1, ["Queenstown"]),
    ("Jeffreys Bay", "Eastern Cape", "42", 1, ["J-Bay"]),
    ("Bloemfontein", "Free State", "51", 3, ["Bloem", "Mangaung"]),
    ("Welkom", "Free State", "57", 1, []),
    ("Bethlehem", "Free State", "58", 1, []),
    ("Kroonstad", "Free State", "56", 1, []),
    ("Parys", "Free State", "56", 1, []),
    ("Polokwane", "Limpopo", "15", 2, ["Pietersburg"]),
    ("Tzaneen", "Limpopo", "15", 1, []),
    ("Hoedspruit", "Limpopo", "15", 1, []),
    ("Bela-Bela", "Limpopo", "14", 1, ["Warmbaths"]),
    ("Lephalale", "Limpopo", "14", 1, ["Ellisras"]),
    ("Mbombela", "Mpumalanga", "13", 2, ["Nelspruit"]),
    ("eMalahleni", "Mpumalanga", "13", 1, ["Witbank"]),
    ("Middelburg", "Mpumalanga", "13", 1, []),
    ("White River", "Mpumalanga", "13", 1, []),
    ("Secunda", "Mpumalanga", "17", 1, []),
    ("Ermelo", "Mpumalanga", "17", 1, []),
    ("Rustenburg", "North West", "14", 2, []),
    ("Brits", "North West", "12", 1, []),
    ("Hartbeespoort", "North West", "12", 1, ["Harties"]),
    ("Potchefstroom", "North West", "18", 1, ["Potch"]),
    ("Klerksdorp", "North West", "18", 1, []),
    ("Mahikeng", "North West", "18", 1, ["Mafikeng"]),
    ("Kimberley", "Northern Cape", "53", 2, []),
    ("Upington", "Northern Cape", "54", 1, []),
    ("Springbok", "Northern Cape", "27", 1, []),
    ("Kuruman", "Northern Cape", "53", 1, []),
]

PLACE_WORDS = sorted(
    {t[0] for t in TOWNS}
    | {
        "Highveld",
        "Lowveld",
        "Bushveld",
        "Karoo",
        "Zululand",
        "Boland",
        "Overberg",
        "Magaliesberg",
        "Vaal",
        "Rand",
        "West Rand",
        "East Rand",
        "Natal",
        "Transkei",
        "Kalahari",
        "Namaqualand",
    }
)


# canonical province -> aliases (as in hotpass.defaults) and typos people make
PROVINCE_ALIASES = {
    "Eastern Cape": ["EC", "E Cape", "E. Cape", "Eastern Cape Province"],
    "Free State": ["FS", "Free State Province", "OFS"],
    "Gauteng": ["GP", "GT", "Gauteng Province", "GAU"],
    "KwaZulu-Natal": ["KZN", "Kwa-Zulu Natal", "Kwazulu Natal", "KwaZulu Natal", "Natal"],
    "Limpopo": ["LP", "Limpopo Province", "LIM"],
    "Mpumalanga": ["MP", "Mpumalanga Province", "MPU"],
    "North West": ["NW", "North-West", "Northwest"],
    "Northern Cape": ["NC", "N Cape", "N. Cape"],
    "Western Cape": ["WC", "W Cape", "W. Cape", "Western Cape Province"],
}
PROVINCE_TYPOS = {
    "Eastern Cape": ["Eastern Cpe", "Easten Cape"],
    "Free State": ["Free Sate", "Freestate"],
    "Gauteng": ["Gauteg", "Guateng", "Gautng"],
    "KwaZulu-Natal": ["Kwazulu-Natl", "KwaZula-Natal", "Kwa Zulu-Natal"],
    "Limpopo": ["Limpop", "Limopo"],
    "Mpumalanga": ["Mpumalamga", "Mpumlanga"],
    "North West": ["Noth West", "North Wst"],
    "Northern Cape": ["Northen Cape", "Nothern Cape"],
    "Western Cape": ["Westen Cape", "Western Cpe"],
}

# Mobile ranges: the two digits after the trunk 0; every 7-digit subscriber number is valid.
MOBILE_PREFIXES = ("60 61 62 63 64 65 66 67 68 71 72 73 74 76 78 79 81 82 83 84").split()

# --- mail and web -------------------------------------------------------------------------------

FREE_MAIL = ["gmail.com"] * 6 + [
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "telkomsa.net",
    "mweb.co.za",
    "icloud.com",
    "webmail.co.za",
    "iafrica.com",
]
ORG_MAILBOXES = (
    "info info info admin office bookings ops enquiries reception training hello flight accounts"
).split()
TLDS = ["co.za"] * 14 + ["com"] * 4 + ["org.za", "net"]
CLUB_TLDS = ["co.za", "org.za", "org.za", "com"]

NOTES = [
    "Called, no answer",
    "Sent brochure",
    "Interested in PPL packages",
    "Follow up next month",
    "Closed down?",
    "Moved premises",
    "Duplicate?",
    "Prefers email",
    "Met at aviation expo",
    "Old number",
    "Check website",
    "New owner",
    "On regulator list",
    "Asked for quote",
    "Do not call before 9",
    "Rates sent",
    "Invoice outstanding",
    "Good lead",
    "Not interested",
    "Wrong number on file",
    "Hangar visit done",
    "Newsletter only",
]
NOTE_PLACE = ["Based in {town}", "{town} airfield", "At {town} airport", "Hangar at {town}"]
NOTE_PHONE = ["After hours: {phone}", "Alt no: {phone}", "Whatsapp {phone}"]
