"""Street-address shapes written the way people write them worldwide (UPU formats): flats and
suites on their own, postcodes named as such, post-office boxes and rural routes, house-number
ranges and "bis", "Nr."/"No." numbers, regions in capitals, lowercase streets, street names with
a US street type and no number; and the everyday sentences each of those rules must leave alone."""

from __future__ import annotations

import pytest


def found_of(find, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [value for entity_type, value in find(text) if entity_type == "STREET_ADDRESS"]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        # a flat or suite on its own
        ("Leave it with the concierge for Apt. 651, please.", "Apt. 651"),
        ("She moved into Suite 224 last week.", "Suite 224"),
        ("The keys are for Flat 4B.", "Flat 4B"),
        # a postcode the text names as one
        ("my zip code is 94107", "94107"),
        ("Postcode: SW1A 1AA", "SW1A 1AA"),
        ("PLZ 10115, bitte", "10115"),
        ("CEP 01310-100", "01310-100"),
        ("postal code K1A 0B1", "K1A 0B1"),
        # post-office boxes and rural routes
        ("Write to Apartado 1234, Madrid", "Apartado 1234"),
        ("Caixa Postal 5521, Curitiba", "Caixa Postal 5521"),
        ("Send it to Private Bag 12, Wellington", "Private Bag 12"),
        ("RR 2 Box 152, Hartford, KY 42347", "RR 2 Box 152"),
        ("Postbus 1200, 3500 BE Utrecht", "Postbus 1200"),
        # house-number ranges, "bis" and number signs
        ("Stationsweg 4-6, 3511 ED Utrecht", "Stationsweg 4-6"),
        ("ship to ul. Marszałkowska 10/12, 00-590 Warszawa", "10/12"),
        ("Dorpsstraat 12 bis, 1234 AB Ede", "Dorpsstraat 12 bis"),
        ("Kurfürstendamm Nr. 21, Berlin", "Kurfürstendamm Nr. 21"),
        ("Avenida Reforma No. 222, Col. Juárez", "Avenida Reforma No. 222"),
        ("c/ Mayor 5, 2ºB, 28013 Madrid", "c/ Mayor 5, 2ºB"),
        ("Calle de Alcalá 42, 3º izq., 28014 Madrid", "3º izq"),
        # a state or town in capitals continues the address
        ("Send it to 24 Sussex Drive, Ottawa, ON K1A 0B1", "ON K1A 0B1"),
        ("drive to 4500 Hwy 101, Florence, OR 97439", "OR 97439"),
        ("552 Manor Way\nGREAT LANGTON\nUnited Kingdom 71361", "GREAT LANGTON"),
        ("3 Hradní 12\nTurkovice u Prelouce", "Turkovice u Prelouce"),
        # lowercase streets
        ("i live at 55 oak street, springfield", "55 oak street"),
        ("send to 742 evergreen terrace springfield", "742 evergreen terrace"),
        # a street name and a US street type, no number
        ("at the corner of Kowalski Crescent and Jens Underpass", "Jens Underpass"),
        ("The bakery on Arvidsson Stravenue closed.", "Arvidsson Stravenue"),
        # an Estonian street type ("tee") and a Slovenian square ("Trg")
        ("2808 Luite tee 87\nSalumäe", "Luite tee 87"),
    ],
)
def test_address_shapes_are_masked(find, text, part):
    # masked is what the user notices; a street named like a person may be masked as a PERSON
    assert part in " ".join(value for _type, value in find(text)), find(text)


@pytest.mark.parametrize(
    "text",
    [
        "I upgraded to Windows 10 yesterday",
        "The meeting is in Room 4 at 10 am",
        "Table 3 shows the results for Version 2.3.1",
        "Order 12345 shipped today",
        "Order No. 12345 is late",
        "Flight BA 286 leaves from Gate 12",
        "please see Chapter 7 on page 12",
        "Step 3: restart the server",
        "We need 3 apples and 10 minutes",
        "I walked 5 miles down the road",
        "take the 2 lane road north",
        "Box 3 of 5 arrived damaged",
        "The test suite 3 failed again",
        "Unit 5 covers fractions",
        "BP 120 over 80 is fine",
        "We visited Apple Park and Silicon Valley",
        "Happy Valley is a TV show",
        "Python 3.12 runs on Ubuntu 22.04",
        "Room 4, OK?",
    ],
)
def test_everyday_numbers_and_names_are_not_addresses(find, text):
    assert found_of(find, text) == [], find(text)
