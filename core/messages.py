"""Every sentence the hub itself says to users, in one place."""

from __future__ import annotations

APOLOGY = "Sorry, something went wrong on my side while handling that. Please try again in a moment."
PRIVACY_APOLOGY = (
    "Sorry, I couldn't process that message safely, so I stopped before using it. "
    "Please try again in a moment."
)
RATE_LIMITED = (
    "You're sending messages faster than I can answer. I'll pick up again in about {seconds} seconds."
)
CONVERSATION_RATE_LIMITED = (
    "This conversation is very busy right now. I'll pick up again in about {seconds} seconds."
)
NO_MODEL = (
    "I don't have a language model configured yet, so I can only answer commands. "
    "Try /help to see what I can do."
)
MODEL_UNAVAILABLE = "Sorry, I couldn't get an answer from the model this time. Please try again."
MODEL_NOT_RUNNING = (
    "The model is not running right now, so I can't answer that. Commands still work: try /help."
)
STOPPED_MARK = "(stopped)"  # ends an answer the person stopped; no apology follows
STOPPED = "Stopped."
NOTHING_TO_STOP = "Nothing to stop."
CUT_OFF = '(That answer was cut off at my length limit. Say "continue" for more.)'
MODEL_TIMEOUT = "Sorry, the model took too long to answer. Please try again."
MODEL_POISON = (
    "Sorry, I can't answer that message: it made the model fail twice, so I set it aside. "
    "Please try rephrasing it."
)
TEMPORARILY_UNAVAILABLE = (
    "Sorry, I'm temporarily unavailable (a service I depend on is down). Please try again in a minute."
)
QUEUE_BUSY = "I'm busy right now — you are number {position} in line. I'll answer as soon as I can."
QUEUE_FULL = "I'm overloaded right now and can't take new questions. Please try again in a few minutes."
ADMIN_REFUSED = "Sorry, `{command}` is an admin command and you are not an admin of this bot."
UNKNOWN_ADMIN_ARGS = "Usage: {usage}"
UNDELIVERED = "Sorry, I had an answer for you but couldn't deliver it here. Please try again in a moment."
SHUTTING_DOWN = "I'm restarting right now; please send that again in a minute."
TIMEOUT = "That took too long to answer. Please try again."
TOO_LONG = (
    "That message is too long for me to read: please keep it under {limit:,} characters, "
    "or split it into a few shorter messages."
)
TEXT_ONLY = "I can only read text for now — please type your question."
