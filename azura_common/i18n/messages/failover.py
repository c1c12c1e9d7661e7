"""Messages of the failover notice: what happened to the bot that played, and who carries on."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "failover.someone": {
        "en": "The bot playing here", "de": "Der Bot, der hier spielte", "es": "El bot que sonaba aquí",
        "fr": "Le bot qui jouait ici", "pt-BR": "O bot que tocava aqui", "ja": "ここで再生していたボット",
    },
    "failover.dropped_out": {
        "en": "dropped out", "de": "ist ausgefallen", "es": "se cayó", "fr": "a décroché", "pt-BR": "caiu",
        "ja": "が停止しました",
    },
    "failover.is_restarting": {
        "en": "is restarting", "de": "startet neu", "es": "se está reiniciando", "fr": "redémarre",
        "pt-BR": "está reiniciando", "ja": "が再起動中です",
    },
    "failover.restarted": {
        "en": "restarted", "de": "wurde neu gestartet", "es": "se reinició", "fr": "a redémarré",
        "pt-BR": "reiniciou", "ja": "が再起動しました",
    },
    "failover.parked": {
        "en": "⚠️ {who} {why} and every other Azura bot is busy in this server. Your queue is kept; "
              "the music resumes as soon as a bot is free.",
        "de": "⚠️ {who} {why}, und alle anderen Azura-Bots sind auf diesem Server beschäftigt. Deine Warteschlange "
              "bleibt erhalten; die Musik geht weiter, sobald ein Bot frei ist.",
        "es": "⚠️ {who} {why} y todos los demás bots de Azura están ocupados en este servidor. Tu cola se "
              "conserva; la música vuelve en cuanto haya un bot libre.",
        "fr": "⚠️ {who} {why} et tous les autres bots Azura sont occupés sur ce serveur. Ta file est gardée ; "
              "la musique reprend dès qu'un bot est libre.",
        "pt-BR": "⚠️ {who} {why} e todos os outros bots do Azura estão ocupados neste servidor. Sua fila foi "
                 "mantida; a música volta assim que um bot ficar livre.",
        "ja": "⚠️ {who}{why}。このサーバーの他の Azura ボットはすべて使用中です。キューは保持され、"
              "ボットが空き次第再生を再開します。",
    },
    "failover.same_bot": {
        "en": "⚠️ {who} {why} and carries on at {at}.", "de": "⚠️ {who} {why} und macht bei {at} weiter.",
        "es": "⚠️ {who} {why} y sigue en {at}.", "fr": "⚠️ {who} {why} et reprend à {at}.",
        "pt-BR": "⚠️ {who} {why} e continua em {at}.", "ja": "⚠️ {who}{why}。{at} から再開します。",
    },
    "failover.took_over": {
        "en": "⚠️ {who} {why}; {bot} took over at {at}.", "de": "⚠️ {who} {why}; {bot} hat bei {at} übernommen.",
        "es": "⚠️ {who} {why}; {bot} tomó el relevo en {at}.", "fr": "⚠️ {who} {why} ; {bot} a pris le relais à {at}.",
        "pt-BR": "⚠️ {who} {why}; {bot} assumiu em {at}.", "ja": "⚠️ {who}{why}。{bot} が {at} から引き継ぎました。",
    },
}
