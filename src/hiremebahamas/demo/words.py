"""Word pools the generators draw from: names common in the Bahamas, trades and skills, places.

Drawn, never composed by a model: fixed tuples keep the output identical for a given seed.
"""

from __future__ import annotations

from hiremebahamas.models import JobCategory

FIRST_NAMES = (
    "Ann", "Brianna", "Cheryl", "Dominique", "Ebony", "Felicia", "Gabrielle", "Heather", "Ianthia", "Jasmine",
    "Keisha", "Latoya", "Monique", "Natasha", "Olivia", "Patrice", "Quinnetta", "Renee", "Shantel", "Tamika",
    "Valencia", "Whitney", "Yolanda", "Zelda", "Alicia", "Bernadette", "Chantal", "Delores", "Erica", "Gina",
    "Andre", "Brent", "Cedric", "Dwayne", "Elijah", "Frederick", "Garfield", "Hubert", "Ivan", "Jermaine",
    "Kendrick", "Lamar", "Marvin", "Nathaniel", "Omar", "Perry", "Quincy", "Rashad", "Stephen", "Terrance",
    "Ulysses", "Vernon", "Wendell", "Xavier", "Yuri", "Zion", "Antonio", "Byron", "Carlton", "Desmond",
    "Kevin", "Michael", "Sean", "Tyrone", "Jamal", "Travis", "Lionel", "Rudolph", "Sidney", "Theo",
    "Kayla", "Destiny", "Precious", "Shanice", "Tanya", "Vanessa", "Janelle", "Kimberly", "Lakeisha", "Sharon",
)  # fmt: skip
LAST_NAMES = (
    "Rolle", "Smith", "Johnson", "Ferguson", "Knowles", "Thompson", "Williams", "Brown", "Moss", "Bethel",
    "Pinder", "Sands", "Cartwright", "Saunders", "Major", "Darville", "Miller", "Bain", "Strachan", "Gibson",
    "Munroe", "Adderley", "McKenzie", "Forbes", "Taylor", "Hanna", "Clarke", "Deveaux", "Russell", "Wilson",
    "Mackey", "Sweeting", "Albury", "Cooper", "Dean", "Evans", "Farrington", "Gray", "Hall", "Ingraham",
    "Kemp", "Lightbourne", "Minnis", "Newbold", "Outten", "Pratt", "Roberts", "Stubbs", "Turnquest", "Woodside",
    "Wright", "Young", "Archer", "Bowe", "Christie", "Demeritte", "Edgecombe", "Fox", "Glinton", "Hepburn",
)  # fmt: skip
SCHOOLS = (
    "University of The Bahamas", "Bahamas Technical & Vocational Institute", "LN Coakley High School",
    "CR Walker Secondary", "St. Augustine's College", "Queen's College", "St. John's College",
    "Tabernacle Baptist Academy", "University of the West Indies", "College of the Bahamas",
    "Florida International University", "Grand Bahama Catholic High", "Bishop Michael Eldon School",
)  # fmt: skip
DEGREES = ("BSc", "BA", "Associate Degree", "Certificate", "Diploma", "MBA", "MSc", "BSN", "BCom")
FIELDS = (
    "Accounting", "Business Administration", "Nursing", "Hospitality Management", "Computer Science",
    "Marine Biology", "Education", "Law", "Tourism", "Electrical Engineering", "Culinary Arts", "Banking & Finance",
)  # fmt: skip

SKILLS = (
    "customer service", "cash handling", "microsoft excel", "bookkeeping", "quickbooks", "payroll",
    "python", "javascript", "sql", "networking", "it support", "project management", "scheduling",
    "food safety", "bartending", "housekeeping", "front desk", "reservations", "event planning",
    "carpentry", "plumbing", "electrical", "masonry", "heavy equipment", "welding", "hvac",
    "nursing", "patient care", "phlebotomy", "first aid", "cpr", "pharmacy",
    "teaching", "curriculum design", "tutoring", "boat handling", "captain licence", "scuba diving",
    "fishing", "marine mechanics", "sales", "negotiation", "social media", "copywriting", "graphic design",
    "photography", "driving", "forklift", "logistics", "inventory", "retail", "merchandising",
    "banking", "compliance", "anti-money laundering", "legal research", "contracts", "data entry",
    "spanish", "french", "creole", "public speaking", "leadership", "security", "landscaping", "cooking",
)  # fmt: skip

# Titles and the skills they ask for, per category (a job draws 2-6 of its category's skills).
CATEGORY_TITLES: dict[JobCategory, tuple[str, ...]] = {
    JobCategory.ACCOUNTING: ("Accountant", "Junior Accountant", "Accounts Payable Clerk", "Payroll Officer"),
    JobCategory.ADMINISTRATION: ("Office Administrator", "Receptionist", "Executive Assistant", "Data Entry Clerk"),
    JobCategory.BANKING: ("Bank Teller", "Relationship Manager", "Compliance Officer", "Loan Officer"),
    JobCategory.CONSTRUCTION: ("Carpenter", "Site Foreman", "Electrician", "Heavy Equipment Operator", "Mason"),
    JobCategory.CUSTOMER_SERVICE: ("Customer Service Representative", "Call Centre Agent", "Guest Services Agent"),
    JobCategory.EDUCATION: ("Primary School Teacher", "Mathematics Teacher", "Tutor", "Teaching Assistant"),
    JobCategory.ENGINEERING: ("Civil Engineer", "Maintenance Engineer", "HVAC Technician", "Electrical Engineer"),
    JobCategory.GOVERNMENT: ("Customs Officer", "Clerk", "Policy Analyst", "Immigration Officer"),
    JobCategory.HEALTHCARE: ("Registered Nurse", "Pharmacy Technician", "Phlebotomist", "Medical Receptionist"),
    JobCategory.HOSPITALITY: ("Front Desk Agent", "Bartender", "Line Cook", "Housekeeper", "Concierge", "Server"),
    JobCategory.IT: ("Software Developer", "IT Support Technician", "Network Administrator", "Data Analyst"),
    JobCategory.LEGAL: ("Paralegal", "Legal Secretary", "Associate Attorney", "Conveyancing Clerk"),
    JobCategory.MARITIME: ("Boat Captain", "Deckhand", "Dive Instructor", "Marine Mechanic", "Dockmaster"),
    JobCategory.MARKETING: ("Marketing Coordinator", "Social Media Manager", "Graphic Designer", "Copywriter"),
    JobCategory.RETAIL: ("Sales Associate", "Store Manager", "Cashier", "Stock Clerk", "Visual Merchandiser"),
    JobCategory.SALES: ("Sales Representative", "Account Executive", "Insurance Agent", "Real Estate Agent"),
    JobCategory.TRANSPORT: ("Delivery Driver", "Jitney Driver", "Forklift Operator", "Logistics Coordinator"),
    JobCategory.OTHER: ("Security Officer", "Landscaper", "Straw Market Vendor", "General Labourer"),
}
CATEGORY_SKILLS: dict[JobCategory, tuple[str, ...]] = {
    JobCategory.ACCOUNTING: ("bookkeeping", "quickbooks", "payroll", "microsoft excel", "data entry"),
    JobCategory.ADMINISTRATION: ("scheduling", "microsoft excel", "data entry", "customer service", "front desk"),
    JobCategory.BANKING: ("banking", "compliance", "anti-money laundering", "cash handling", "customer service"),
    JobCategory.CONSTRUCTION: ("carpentry", "masonry", "electrical", "plumbing", "heavy equipment", "welding"),
    JobCategory.CUSTOMER_SERVICE: ("customer service", "data entry", "spanish", "public speaking"),
    JobCategory.EDUCATION: ("teaching", "curriculum design", "tutoring", "public speaking", "leadership"),
    JobCategory.ENGINEERING: ("hvac", "electrical", "project management", "leadership", "welding"),
    JobCategory.GOVERNMENT: ("data entry", "compliance", "customer service", "french", "creole"),
    JobCategory.HEALTHCARE: ("nursing", "patient care", "phlebotomy", "first aid", "cpr", "pharmacy"),
    JobCategory.HOSPITALITY: ("customer service", "bartending", "housekeeping", "front desk", "reservations",
                              "food safety", "cooking", "event planning"),
    JobCategory.IT: ("python", "javascript", "sql", "networking", "it support", "project management"),
    JobCategory.LEGAL: ("legal research", "contracts", "data entry", "compliance"),
    JobCategory.MARITIME: ("boat handling", "captain licence", "scuba diving", "fishing", "marine mechanics"),
    JobCategory.MARKETING: ("social media", "copywriting", "graphic design", "photography"),
    JobCategory.RETAIL: ("retail", "merchandising", "cash handling", "inventory", "sales"),
    JobCategory.SALES: ("sales", "negotiation", "customer service", "public speaking"),
    JobCategory.TRANSPORT: ("driving", "forklift", "logistics", "inventory"),
    JobCategory.OTHER: ("security", "landscaping", "first aid", "driving"),
}  # fmt: skip
# Pay per period, roughly what the islands pay (BSD), as (low, high) bounds of the range's bottom.
HOURLY_PAY = (9, 45)
MONTHLY_PAY = (1_600, 7_000)
YEARLY_PAY = (20_000, 120_000)

COMPANY_FIRST = (
    "Island", "Coral", "Conch", "Sapphire", "Palm", "Nassau", "Lucaya", "Exuma", "Harbour", "Pineapple",
    "Flamingo", "Tropic", "Atlantic", "Sandy", "Blue Hole", "Junkanoo", "Sunrise", "Bay Street", "Pelican", "Seagrape",
)  # fmt: skip
COMPANY_SECOND = (
    "Breeze", "Reef", "Shore", "Tide", "Cay", "Lagoon", "Point", "Sound", "Harbour", "Ridge", "Wave", "Horizon",
)  # fmt: skip
COMPANY_KIND = (
    "Resort", "Bank & Trust", "Construction", "Marine Services", "Medical Centre", "Logistics", "Realty",
    "Foods", "Tech", "Insurance", "Academy", "Hardware", "Tours", "Law Chambers", "Pharmacy", "Motors",
)  # fmt: skip

HEADLINES = (
    "{title} with {years} years of experience", "{title} · open to new opportunities", "Experienced {title}",
    "{title} based in {island}", "Aspiring {title}", "{title} | {skill} | {skill2}",
)  # fmt: skip
BIO_SENTENCES = (
    "Born and raised in the Bahamas, I love serving my community.",
    "I take pride in reliable, friendly service.",
    "Looking for a role where I can grow and learn new skills.",
    "Team player with a strong work ethic.",
    "Available for full-time or part-time work.",
    "I have worked in resorts, offices and on the water.",
    "Fluent in English and conversational Spanish.",
    "Certified in first aid and CPR.",
    "Happy to relocate to the Family Islands for the right role.",
    "I enjoy solving problems and working with people.",
)

POST_OPENERS = (
    "Excited to share that", "Big thanks to everyone:", "Today I learned that", "Reminder:", "Proud moment:",
    "Hiring news!", "Quick tip for job seekers:", "Good morning, Nassau!", "Weekend update:", "Throwback:",
)  # fmt: skip
POST_BODIES = (
    "I just finished my certification in {skill}.",
    "our team on {island} is growing and we are looking for people who know {skill}.",
    "a clean CV and a friendly cover letter still go a long way.",
    "the Junkanoo rush-out this year was unforgettable.",
    "I started a new position as {title}.",
    "networking at the career fair in {island} paid off.",
    "practising {skill} every day is how you get better.",
    "we hosted a free workshop on {skill} for young Bahamians.",
    "the ferry to {island} was right on time for once.",
    "always double-check the closing date before you apply.",
    "five years as a {title} and still learning every week.",
    "volunteering on {island} this weekend — who is coming?",
)  # fmt: skip
POST_TAGS = ("#Bahamas", "#Hiring", "#Nassau", "#CareerGrowth", "#242", "#FamilyIslands", "#JobSearch", "#Tourism")
COMMENTS = (
    "Congratulations!", "Well done 👏", "So proud of you.", "Great advice, thanks for sharing.", "Love this!",
    "Where can I sign up?", "This is so true.", "Keep going!", "Happy for you!", "Thanks, very helpful.",
    "Is this still open?", "See you there.", "Amazing news.", "Totally agree.", "Sent you a message.",
)  # fmt: skip
MESSAGES = (
    "Hi! Thanks for connecting.", "Are you still looking for a {title}?", "Could we talk this week?",
    "I sent my CV through the site.", "Thanks for the update!", "What time works for you?",
    "Sounds good, see you then.", "Do you have experience with {skill}?", "Yes, I am available from Monday.",
    "Great, I will let the team know.", "Can you share more about the role?", "Thank you so much!",
    "The interview is at 10 on Thursday.", "Congrats on the new job!", "Let me check and get back to you.",
)  # fmt: skip
COVER_LETTERS = (
    "I am excited to apply for this role. I have {years} years of experience in {skill} and I am ready to start.",
    "Please find my CV attached. I would love to bring my {skill} experience to your team.",
    "I have worked as a {title} and believe I would be a strong fit.",
    "I live on {island} and can start immediately. I am reliable, punctual and eager to learn.",
)  # fmt: skip
