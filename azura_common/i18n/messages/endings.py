"""Why a session ended, as its now-playing message says it (``azura_common/endings.py`` picks the key)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "ending.leave_by": {
        "en": "/leave by {name}", "de": "/leave von {name}", "es": "/leave de {name}", "fr": "/leave par {name}",
        "pt-BR": "/leave por {name}", "ja": "{name} の /leave",
    },
    "ending.leave_pressed_by": {
        "en": "leave pressed by {name}", "de": "Verlassen gedrückt von {name}", "es": "{name} pulsó salir",
        "fr": "{name} a appuyé sur quitter", "pt-BR": "{name} apertou sair", "ja": "{name} が退出を押しました",
    },
    "ending.kicked_from_voice": {
        "en": "kicked from voice", "de": "aus dem Sprachkanal geworfen", "es": "expulsado de la voz",
        "fr": "expulsé du vocal", "pt-BR": "expulso da voz", "ja": "ボイスから切断されました",
    },
    "ending.moved_out_of_its_channel": {
        "en": "moved out of its channel", "de": "aus seinem Kanal verschoben", "es": "movido fuera de su canal",
        "fr": "déplacé hors de son salon", "pt-BR": "movido para fora do canal", "ja": "チャンネルから移動されました",
    },
    "ending.the_voice_connection_keeps_failing": {
        "en": "the voice connection keeps failing", "de": "die Sprachverbindung bricht immer wieder ab",
        "es": "la conexión de voz sigue fallando", "fr": "la connexion vocale échoue sans cesse",
        "pt-BR": "a conexão de voz continua falhando", "ja": "ボイス接続の失敗が続いています",
    },
    "ending.couldn't_rejoin_the_voice_channel": {
        "en": "couldn't rejoin the voice channel", "de": "konnte dem Sprachkanal nicht wieder beitreten",
        "es": "no pude volver a entrar en el canal de voz", "fr": "impossible de revenir dans le salon vocal",
        "pt-BR": "não consegui voltar ao canal de voz", "ja": "ボイスチャンネルに再参加できませんでした",
    },
    "ending.idle:_nobody_listening": {
        "en": "idle: nobody listening", "de": "untätig: niemand hört zu", "es": "inactivo: nadie escucha",
        "fr": "inactif : personne n'écoute", "pt-BR": "ocioso: ninguém ouvindo", "ja": "待機：誰も聴いていません",
    },
    "ending.idle:_the_queue_ended": {
        "en": "idle: the queue ended", "de": "untätig: die Warteschlange ist zu Ende",
        "es": "inactivo: la cola terminó",
        "fr": "inactif : la file est terminée", "pt-BR": "ocioso: a fila acabou", "ja": "待機：キューが終わりました",
    },
    "ending.nothing_to_play": {
        "en": "nothing to play", "de": "nichts zu spielen", "es": "nada que reproducir", "fr": "rien à jouer",
        "pt-BR": "nada para tocar", "ja": "再生するものがありません",
    },
    "ending.disconnect_requested": {
        "en": "disconnect requested", "de": "Trennung angefordert", "es": "desconexión solicitada",
        "fr": "déconnexion demandée", "pt-BR": "desconexão solicitada", "ja": "切断が要求されました",
    },
    "ending.idle": {
        "en": "idle", "de": "untätig", "es": "inactivo", "fr": "inactif", "pt-BR": "ocioso", "ja": "待機",
    },
    "ending.kicked": {
        "en": "kicked", "de": "hinausgeworfen", "es": "expulsado", "fr": "expulsé", "pt-BR": "expulso", "ja": "切断",
    },
    "ending.channel_deleted": {
        "en": "channel deleted", "de": "Kanal gelöscht", "es": "canal eliminado", "fr": "salon supprimé",
        "pt-BR": "canal excluído", "ja": "チャンネルが削除されました",
    },
    "ending.lavalink_lost": {
        "en": "lavalink lost", "de": "Lavalink verloren", "es": "Lavalink perdido", "fr": "Lavalink perdu",
        "pt-BR": "Lavalink perdido", "ja": "Lavalink との接続が失われました",
    },
    "ending.shutdown": {
        "en": "shutdown", "de": "Herunterfahren", "es": "apagado", "fr": "arrêt", "pt-BR": "desligamento",
        "ja": "シャットダウン",
    },
    "ending.child_lost": {
        "en": "child lost", "de": "Kind-Bot verloren", "es": "bot hijo perdido", "fr": "bot enfant perdu",
        "pt-BR": "bot filho perdido", "ja": "子ボットが失われました",
    },
    "ending.moved_to_another_bot": {
        "en": "moved to another bot", "de": "zu einem anderen Bot gewechselt", "es": "pasó a otro bot",
        "fr": "passé à un autre bot", "pt-BR": "passou para outro bot", "ja": "別のボットに移りました",
    },
    "ending.leave_pressed": {
        "en": "leave pressed", "de": "Verlassen gedrückt", "es": "se pulsó salir", "fr": "quitter pressé",
        "pt-BR": "sair apertado", "ja": "退出が押されました",
    },
}
