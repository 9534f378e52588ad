from adapters.rest.adapter import RestAdapter

__all__ = ["RestAdapter"]
