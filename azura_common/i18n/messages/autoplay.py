"""Messages of /autoplay and the server's autoplay default."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "autoplay.on": {
        "en": "♾ Autoplay is on: when the queue runs out, I keep playing related tracks.",
        "de": "♾ Autoplay ist an: Wenn die Warteschlange leer ist, spiele ich ähnliche Titel weiter.",
        "es": "♾ La reproducción automática está activada: cuando se acabe la cola, seguiré con temas relacionados.",
        "fr": "♾ La lecture automatique est activée : quand la file est vide, je continue avec des titres proches.",
        "pt-BR": "♾ O autoplay está ligado: quando a fila acabar, continuo tocando faixas relacionadas.",
        "ja": "♾ 自動再生がオンです。キューが空になったら関連曲を流し続けます。",
    },
    "autoplay.off": {
        "en": "⏹ Autoplay is off: I stop when the queue runs out.",
        "de": "⏹ Autoplay ist aus: Ich höre auf, wenn die Warteschlange leer ist.",
        "es": "⏹ La reproducción automática está desactivada: me detengo cuando se acabe la cola.",
        "fr": "⏹ La lecture automatique est désactivée : je m'arrête quand la file est vide.",
        "pt-BR": "⏹ O autoplay está desligado: paro quando a fila acabar.",
        "ja": "⏹ 自動再生がオフです。キューが空になったら停止します。",
    },
    "autoplay.default_on": {
        "en": "♾ New sessions in this server start with autoplay on.",
        "de": "♾ Neue Sitzungen auf diesem Server starten mit Autoplay.",
        "es": "♾ Las nuevas sesiones de este servidor empiezan con la reproducción automática activada.",
        "fr": "♾ Les nouvelles sessions de ce serveur démarrent avec la lecture automatique activée.",
        "pt-BR": "♾ Novas sessões neste servidor começam com o autoplay ligado.",
        "ja": "♾ このサーバーの新しいセッションは自動再生オンで始まります。",
    },
    "autoplay.default_off": {
        "en": "⏹ New sessions in this server start with autoplay off.",
        "de": "⏹ Neue Sitzungen auf diesem Server starten ohne Autoplay.",
        "es": "⏹ Las nuevas sesiones de este servidor empiezan con la reproducción automática desactivada.",
        "fr": "⏹ Les nouvelles sessions de ce serveur démarrent sans lecture automatique.",
        "pt-BR": "⏹ Novas sessões neste servidor começam com o autoplay desligado.",
        "ja": "⏹ このサーバーの新しいセッションは自動再生オフで始まります。",
    },
}
