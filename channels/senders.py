"""Each provider's adapter (channels.twilio_api, channels.telesign_api,
channels.acs_send), built, with its SDK, the first time it is used: importing the app
loads no provider SDK, so a cold start pays only for what its first request needs."""

from __future__ import annotations

import importlib
import threading
from typing import Any, Callable, Iterable, Iterator, Mapping

from channels.providers import PROVIDERS
from core.providers import ProviderSpec

# provider -> (module, class, the base URL settings its constructor takes, in order)
_ADAPTERS = {
    "twilio": ("channels.twilio_api", "TwilioSender", ("twilio_api_base_url", "twilio_content_base_url")),
    "telesign": ("channels.telesign_api", "TeleSignSender", ("telesign_api_base_url",)),
    "acs": ("channels.acs_send", "AcsSender", ()),
}


class _Built:
    """The adapters built so far, one per provider, shared by every view of them."""

    def __init__(self, base_urls: Mapping[str, str | None]) -> None:
        self.base_urls = base_urls
        self.adapters: dict[str, Any] = {}
        self.lock = threading.Lock()

    def get(self, name: str) -> Any:
        with self.lock:
            if name not in self.adapters:
                module, cls, settings = _ADAPTERS[name]
                adapter = getattr(importlib.import_module(module), cls)
                self.adapters[name] = adapter(*(self.base_urls.get(s) for s in settings))
            return self.adapters[name]


class LazySenders(Mapping[str, Any]):
    """Adapters by provider name (core.ports.Sender, and MediaFetcher where they fetch)."""

    def __init__(self, base_urls: Mapping[str, str | None], names: Iterable[str] = _ADAPTERS,
                 built: _Built | None = None) -> None:
        self._names = tuple(names)
        self._built = built or _Built(base_urls)

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return self._built.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def limited_to(self, able: Callable[[ProviderSpec], bool]) -> "LazySenders":
        """The same adapters, limited to the providers ``able`` says can (fetch customers'
        attachments: core.ports.MediaFetcher; mark a customer's message read: ReadReceipts)."""
        names = [name for name in self._names if able(PROVIDERS[name])]
        return LazySenders(self._built.base_urls, names, self._built)
