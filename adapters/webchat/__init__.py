from adapters.webchat.adapter import WebChatAdapter

__all__ = ["WebChatAdapter"]
