"""Messages of the now-playing message: its header, buttons and what it says when it ends or moves."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "nowplaying.header": {
        "en": "🎶 **Now playing in {channel}**", "de": "🎶 **Läuft gerade in {channel}**",
        "es": "🎶 **Sonando en {channel}**", "fr": "🎶 **En cours dans {channel}**",
        "pt-BR": "🎶 **Tocando agora em {channel}**", "ja": "🎶 **{channel} で再生中**",
    },
    "nowplaying.ended": {
        "en": "This player has ended. Start a new one with `/play`.",
        "de": "Dieser Player ist beendet. Starte einen neuen mit `/play`.",
        "es": "Este reproductor terminó. Empieza otro con `/play`.",
        "fr": "Ce lecteur est terminé. Lances-en un nouveau avec `/play`.",
        "pt-BR": "Este player terminou. Comece outro com `/play`.",
        "ja": "このプレイヤーは終了しました。`/play` で新しく始めてください。",
    },
    "nowplaying.join_first": {
        "en": "Join {channel} to use these buttons.", "de": "Tritt {channel} bei, um diese Knöpfe zu benutzen.",
        "es": "Únete a {channel} para usar estos botones.", "fr": "Rejoins {channel} pour utiliser ces boutons.",
        "pt-BR": "Entre em {channel} para usar estes botões.",
        "ja": "このボタンを使うには {channel} に参加してください。",
    },
    "nowplaying.moved": {
        "en": "⏭ Moved to {bot} in {channel}.", "de": "⏭ Zu {bot} in {channel} gewechselt.",
        "es": "⏭ Pasó a {bot} en {channel}.", "fr": "⏭ Passé à {bot} dans {channel}.",
        "pt-BR": "⏭ Passou para {bot} em {channel}.", "ja": "⏭ {channel} の {bot} に移りました。",
    },
    "nowplaying.left_pressed": {
        "en": "⏏ Left {channel} (leave pressed by {member}).",
        "de": "⏏ {channel} verlassen (Verlassen gedrückt von {member}).",
        "es": "⏏ Salí de {channel} ({member} pulsó salir).",
        "fr": "⏏ J'ai quitté {channel} ({member} a appuyé sur quitter).",
        "pt-BR": "⏏ Saí de {channel} ({member} apertou sair).",
        "ja": "⏏ {channel} から退出しました（{member} が退出を押しました）。",
    },
    "nowplaying.left": {
        "en": "⏏ Left {channel} ({reason}).", "de": "⏏ {channel} verlassen ({reason}).",
        "es": "⏏ Salí de {channel} ({reason}).", "fr": "⏏ J'ai quitté {channel} ({reason}).",
        "pt-BR": "⏏ Saí de {channel} ({reason}).", "ja": "⏏ {channel} から退出しました（{reason}）。",
    },
    "nowplaying.back": {
        "en": "⏮ Back", "de": "⏮ Zurück", "es": "⏮ Atrás", "fr": "⏮ Retour", "pt-BR": "⏮ Voltar", "ja": "⏮ 戻る",
    },
    "nowplaying.resume": {
        "en": "▶ Resume", "de": "▶ Weiter", "es": "▶ Reanudar", "fr": "▶ Reprendre", "pt-BR": "▶ Retomar",
        "ja": "▶ 再開",
    },
    "nowplaying.pause": {
        "en": "⏸ Pause", "de": "⏸ Pause", "es": "⏸ Pausa", "fr": "⏸ Pause", "pt-BR": "⏸ Pausar", "ja": "⏸ 一時停止",
    },
    "nowplaying.skip": {
        "en": "⏭ Skip", "de": "⏭ Überspringen", "es": "⏭ Saltar", "fr": "⏭ Passer", "pt-BR": "⏭ Pular",
        "ja": "⏭ スキップ",
    },
    "nowplaying.stop": {
        "en": "⏹ Stop", "de": "⏹ Stopp", "es": "⏹ Detener", "fr": "⏹ Arrêter", "pt-BR": "⏹ Parar", "ja": "⏹ 停止",
    },
    "nowplaying.leave": {
        "en": "⏏ Leave", "de": "⏏ Verlassen", "es": "⏏ Salir", "fr": "⏏ Quitter", "pt-BR": "⏏ Sair", "ja": "⏏ 退出",
    },
    "nowplaying.repeat_none": {
        "en": "🔁 Repeat: off", "de": "🔁 Wiederholen: aus", "es": "🔁 Repetir: no", "fr": "🔁 Répéter : non",
        "pt-BR": "🔁 Repetir: não", "ja": "🔁 リピート: オフ",
    },
    "nowplaying.repeat_all": {
        "en": "🔁 Repeat: all", "de": "🔁 Wiederholen: alle", "es": "🔁 Repetir: todo", "fr": "🔁 Répéter : tout",
        "pt-BR": "🔁 Repetir: tudo", "ja": "🔁 リピート: 全曲",
    },
    "nowplaying.repeat_one": {
        "en": "🔂 Repeat: one", "de": "🔂 Wiederholen: eins", "es": "🔂 Repetir: una", "fr": "🔂 Répéter : un",
        "pt-BR": "🔂 Repetir: uma", "ja": "🔂 リピート: 1 曲",
    },
    "nowplaying.shuffle": {
        "en": "🔀 Shuffle", "de": "🔀 Mischen", "es": "🔀 Mezclar", "fr": "🔀 Mélanger", "pt-BR": "🔀 Embaralhar",
        "ja": "🔀 シャッフル",
    },
}
