"""A ticket corpus of our own for the helpdesk triage benchmark, written as template families.

A family is one way customers write (a terse line, a polite e-mail, a rant, a non-native
speaker, a forwarded mail with a signature, ...). Families are split whole into `tuning` (used to
choose the classifier's constants) and `held_out` (only ever measured): a held-out template never
shares its wording with anything the constants were tuned on.

Each ticket: (subject + body, expected category, whether a person should take it). "other"
tickets are outside every category: the bot cannot place them, so a person should.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

CATEGORIES = ("billing", "login", "bug", "shipping", "other")


@dataclass(frozen=True, slots=True)
class Ticket:
    family: str
    text: str
    category: str
    handoff: bool


# family -> category -> templates; {a} {b} are filled from FILL
FAMILIES: dict[str, dict[str, list[str]]] = {
    "terse": {
        "billing": ["charged twice", "refund {a} please", "wrong amount on invoice {b}"],
        "login": ["cant log in", "password reset not working", "account locked"],
        "bug": ["app crashes on start", "error 500 on save", "export button broken"],
        "shipping": ["where is my order {b}", "package not arrived", "tracking number invalid"],
        "other": ["partnership?", "job application", "press question"],
    },
    "polite_email": {
        "billing": [
            "Dear team,\n\nI noticed I was billed {a} twice on my card this month. Could you refund one "
            "of the charges?\n\nKind regards",
            "Hello,\n\ncould you send me a receipt for my last payment of {a}? Many thanks.",
        ],
        "login": [
            "Hello,\n\nI am unable to sign in since yesterday. The password reset email never arrives."
            "\n\nBest",
            "Good morning, my account seems to be locked after too many attempts. Could you unlock it?",
        ],
        "bug": [
            "Hi,\n\nwhen I open the settings page the application crashes. Could you have a look?\n\nThanks",
            "Hello, saving the form gives me an error 500 every time. Is this a known issue?",
        ],
        "shipping": [
            "Dear support,\n\nmy order {b} has not arrived after ten days. Could you check where it is?",
            "Hello, the tracking link for my package does not work. Could you send me the right one?",
        ],
        "other": [
            "Dear team,\n\nwe would like to discuss a reseller partnership with your company.",
            "Hello, I am a journalist writing about your industry and would like an interview.",
        ],
    },
    "rant": {
        "billing": [
            "You charged me TWICE again! This is the worst service ever, I am furious. Refund {a} now.",
            "Unbelievable. Third invoice with the wrong amount. I am so disappointed with you people.",
        ],
        "login": [
            "I have been locked out of my account for three days. This is ridiculous and useless.",
            "Your stupid password reset never works. Terrible, I hate this.",
        ],
        "bug": [
            "Your app crashes every single time. Horrible product, total waste of money.",
            "Error 500 again!! I lost all my work. This is awful.",
        ],
        "shipping": [
            "Where the hell is my package?? Two weeks late. Worst shop ever.",
            "Order {b} still not delivered, your shipping is a disaster. I am angry.",
        ],
        "other": ["Your ads are annoying and terrible, stop emailing me garbage."],
    },
    "non_native": {
        "billing": [
            "hello i am paying two time for same invoice {b}, please give back money",
            "why my card is charge {a} two times, i need refund",
        ],
        "login": [
            "i can not enter in my account, the password is not accept",
            "the code for login is not coming to my phone, please help",
        ],
        "bug": [
            "when i click export nothing is happen, is broken",
            "application is close itself when i open the settings",
        ],
        "shipping": [
            "my parcel is not coming yet, i order {b} two week before",
            "tracking number is say not found, where is my package",
        ],
        "other": ["i want work in your company, how to apply"],
    },
    "forwarded": {
        "billing": [
            "Fwd: Invoice {b}\n\nHi, see below, the invoice shows a double charge of {a}. Please refund.\n\n"
            "--\nSent from my iPhone",
            "Re: your payment\n\nI still see two charges on my credit card statement."
            "\n\nBest regards\nAccounts",
        ],
        "login": [
            "Re: password\n\nThe reset link you sent has expired, I still cannot log in."
            "\n\nSent from my iPhone",
            "Fwd: security alert\n\nI got locked out after the security alert, please unlock my account.",
        ],
        "bug": [
            "Re: ticket\n\nThe crash still happens after the update when I open settings."
            "\n\n-- \nIT department",
            "Fwd: error report\n\nAttached the screenshot of the 500 error when saving.",
        ],
        "shipping": [
            "Re: order {b}\n\nThe package is still not here and tracking shows no movement.\n\nThanks",
            "Fwd: delivery\n\nThe courier says the package was delivered but I never got it.",
        ],
        "other": ["Fwd: conference\n\nWould your CEO speak at our conference next spring?"],
    },
    "question": {
        "billing": [
            "How do I get a refund for a duplicate payment?",
            "Why was I charged {a} when my plan costs less?",
        ],
        "login": [
            "How can I reset my password if the email never arrives?",
            "Why does my two factor code not work?",
        ],
        "bug": [
            "Why does the app crash when I open the settings?",
            "Is the export feature broken? The button does nothing.",
        ],
        "shipping": [
            "When will my order {b} arrive?",
            "How do I track my package? The tracking number does not work.",
        ],
        "other": ["Do you offer internships in the summer?"],
    },
    "complaint": {
        "billing": [
            "This is appalling. You took {a} from my account twice and nobody replies. Disgraceful.",
            "I am fed up with being overcharged every month. Awful billing, pathetic support.",
        ],
        "login": ["Locked out again, what a miserable experience. Absolutely unacceptable."],
        "bug": ["The app keeps crashing and I am sick of it. Dreadful quality, shame on you."],
        "shipping": ["My package {b} is lost and your courier is useless. I am really upset."],
        "other": ["Unsubscribe me at once, your newsletters are horrible spam."],
    },
}

# How a customer asks for a person, one wording per family (several languages).
ASKS = {
    "terse": "human pls",
    "polite_email": "Could I please speak to a real person about this?",
    "rant": "Get me a manager, I want to talk to a human!",
    "non_native": "please i want talk to a person, not a bot",
    "forwarded": "Ich möchte bitte mit einem Menschen sprechen.",
    "question": "Can you connect me with an agent?",
    "complaint": "Escalate this to a supervisor.",
}

FILL = {"a": ["$49", "€120", "£15.99"], "b": ["#4821", "INV-2291", "A-77310"]}

TUNING = ("terse", "polite_email", "rant")
HELD_OUT = ("non_native", "forwarded", "question", "complaint")


def _fill(template: str, n: int) -> str:
    return template.format(a=FILL["a"][n % 3], b=FILL["b"][n % 3])


def tickets(families: tuple[str, ...]) -> list[Ticket]:
    made: list[Ticket] = []
    counter = itertools.count()
    for family in families:
        angry = family in ("rant", "complaint")
        for category, templates in FAMILIES[family].items():
            for template in templates:
                n = next(counter)
                text = _fill(template, n)
                out_of_scope = category == "other"
                made.append(Ticket(family, text, category, handoff=angry or out_of_scope))
                if not out_of_scope and n % 2 == 0:  # the same ticket, with a request for a person
                    made.append(Ticket(family, f"{text}\n\n{ASKS[family]}", category, handoff=True))
    return made
