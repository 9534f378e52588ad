"""Common capitalised words that are not names: they stop a name match (sentence starts,
greetings, weekdays, chat and ticket vocabulary)."""

from __future__ import annotations

COMMON_WORDS = frozenset(
    """
a about above after again against all also always am an and another any anyone anything are
as asap at away back be because been before being below best between both but by can cannot
could did do does doing done down during each either else even ever every everyone everybody
everything few for from further get got had has have having he her here hers herself him himself
his how however i if in into is it its itself just keep kind let like made make many may me might
more most much must my myself need never new next no nobody none nor not nothing now of off ok
okay on once one only or other our ours ourselves out over own please quick quickly really regards
right same see she should since so some someone something soon still such sure than thank thanks
that the their theirs them themselves then there these they this those though through thus to
today tomorrow too two under until up upon urgent us very via was way we well were what whatever
when where whether which while who whom whose why will with within without would yes yesterday
yet you your yours yourself yourselves hi hello hey dear hiya greetings morning afternoon evening
night good great cheers best warm sincerely truly many much br thx ty regards wishes
team all everyone folks guys sir madam mister ma'am customer client user admin support service
helpdesk desk agent bot assistant there sorry urgent important update request issue problem
ticket account order invoice payment card bank refund billing delivery shipping address phone
email mail number name password code error help question thanks welcome hope note attached
attachment file report meeting call message chat thread channel reply follow followup
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december mon tue wed thu fri sat sun jan feb mar apr jun
jul aug sep sept oct nov dec street avenue road lane drive boulevard apt suite unit floor
i'm i've i'll i'd it's that's what's let's don't can't won't isn't didn't doesn't
mr mrs ms miss dr prof new old first last main north south east west central
""".split()
)

GREETINGS = "hi|hello|hey|dear|hiya|greetings|good morning|good afternoon|good evening|morning"
SIGN_OFFS = (
    "thanks|thank you|thx|ty|cheers|regards|best|best wishes|kind regards|best regards|warm regards|"
    "many thanks|sincerely|yours sincerely|yours truly|br|all the best|talk soon"
)
INTRODUCTIONS = (
    "my name is|my name's|name is|i am|i'm|this is|it's|name:|full name:|call me|ask for|"
    "speak to|speak with|talk to|spoke to|spoke with|contact|cc|attn:?|attention:?|signed|from:|"
    "customer:|requester:|assigned to|on behalf of|colleague|manager|friend|wife|husband|son|"
    "daughter|mother|father|brother|sister|partner|guardian|named|called|kid|child|aunt|uncle|cousin|"
    "niece|nephew|boss|coworker|co-worker|teammate|neighbour|neighbor|landlord|account holder|cardholder"
)
# Given names that are also month names: a name after a cue unless a day number follows.
MONTH_NAMES = frozenset({"jan", "june", "april", "august"})
# Everyday words that precede a name only sometimes: they need a first and a last name.
WEAK_INTRODUCTIONS = "by|with|and|for|to|add|from|of|as|at|me and|tell|ask|thank|name"

# Chat openers and fillers that stand before a comma the way a name does ("Btw, can you …").
CHAT_INTERJECTIONS = frozenset(
    """
btw fyi pls plz lol lmao haha hmm hmmm hm ugh yeah yep yup nope nah omg tbh imo imho afaik iirc np
ah ahh oh ohh oops aha wow whoa yo heya howdy kk meh huh eh uh um umm welp lmk asap ps nb alright
anyway anyways actually honestly basically also sorry ok okay cool great sure fine nice perfect
""".split()
)
