"""Messages about links that need a Lavalink plugin (LavaSrc) and live streams."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "streams.no_seek": {
        "en": "You can't seek in a live stream.",
        "de": "In einem Livestream kann man nicht spulen.",
        "es": "No se puede avanzar ni retroceder en una emisión en directo.",
        "fr": "Impossible de se déplacer dans un flux en direct.",
        "pt-BR": "Não dá para avançar ou voltar numa transmissão ao vivo.",
        "ja": "ライブ配信ではシークできません。",
    },
    "streams.needs_lavasrc": {
        "en": "{service} links and searches need the LavaSrc plugin, which this bot's Lavalink doesn't have. "
              "Try a YouTube or SoundCloud link, or search words instead (see README, Lavalink sources).",
        "de": "{service}-Links und -Suchen brauchen das LavaSrc-Plugin, das dem Lavalink dieses Bots fehlt. "
              "Nimm stattdessen einen YouTube- oder SoundCloud-Link oder Suchwörter (siehe README, Lavalink sources).",
        "es": "Los enlaces y búsquedas de {service} necesitan el plugin LavaSrc, que el Lavalink de este bot no tiene. "
              "Prueba un enlace de YouTube o SoundCloud, o palabras de búsqueda (ver README, Lavalink sources).",
        "fr": "Les liens et recherches {service} demandent le plugin LavaSrc, absent du Lavalink de ce bot. "
              "Essaie plutôt un lien YouTube ou SoundCloud, ou des mots-clés (voir README, Lavalink sources).",
        "pt-BR": "Links e buscas do {service} precisam do plugin LavaSrc, que o Lavalink deste bot não tem. "
                 "Tente um link do YouTube ou SoundCloud, ou palavras de busca (veja README, Lavalink sources).",
        "ja": "{service} のリンクと検索には LavaSrc プラグインが必要ですが、このボットの Lavalink にはありません。"
              "YouTube や SoundCloud のリンク、または検索ワードをお試しください（README の Lavalink sources を参照）。",
    },
    "streams.live": {
        "en": "🔴 LIVE",
        "de": "🔴 LIVE",
        "es": "🔴 EN VIVO",
        "fr": "🔴 EN DIRECT",
        "pt-BR": "🔴 AO VIVO",
        "ja": "🔴 ライブ",
    },
}
