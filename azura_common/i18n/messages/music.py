"""Messages of the music commands (/pause, /resume, /stop, /leave, /skip, /back, /seek, /volume, /repeat,
/shuffle) and of the now-playing message's own notices."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "music.paused": {
        "en": "⏸ Paused in {channel}.", "de": "⏸ Pausiert in {channel}.", "es": "⏸ En pausa en {channel}.",
        "fr": "⏸ En pause dans {channel}.", "pt-BR": "⏸ Pausado em {channel}.",
        "ja": "⏸ {channel} で一時停止しました。",
    },
    "music.resumed": {
        "en": "▶ Resumed in {channel}.", "de": "▶ Fortgesetzt in {channel}.", "es": "▶ Reanudada en {channel}.",
        "fr": "▶ Reprise dans {channel}.", "pt-BR": "▶ Retomado em {channel}.", "ja": "▶ {channel} で再開しました。",
    },
    "music.stopped": {
        "en": "⏹ Stopped in {channel} and cleared the upcoming tracks.",
        "de": "⏹ In {channel} gestoppt und die kommenden Titel geleert.",
        "es": "⏹ Detenida en {channel} y vaciadas las próximas pistas.",
        "fr": "⏹ Arrêté dans {channel} et titres à venir vidés.",
        "pt-BR": "⏹ Parado em {channel} e as próximas faixas foram limpas.",
        "ja": "⏹ {channel} で停止し、次の曲をクリアしました。",
    },
    "music.left": {
        "en": "👋 Left {channel}.", "de": "👋 {channel} verlassen.", "es": "👋 Salí de {channel}.",
        "fr": "👋 J'ai quitté {channel}.", "pt-BR": "👋 Saí de {channel}.", "ja": "👋 {channel} から退出しました。",
    },
    "music.voted_to_skip": {
        "en": "🗳 {member} voted to skip **{title}** ({votes}/{needed} votes).",
        "de": "🗳 {member} hat dafür gestimmt, **{title}** zu überspringen ({votes}/{needed} Stimmen).",
        "es": "🗳 {member} votó para saltar **{title}** ({votes}/{needed} votos).",
        "fr": "🗳 {member} a voté pour passer **{title}** ({votes}/{needed} votes).",
        "pt-BR": "🗳 {member} votou para pular **{title}** ({votes}/{needed} votos).",
        "ja": "🗳 {member} が **{title}** のスキップに投票しました（{votes}/{needed} 票）。",
    },
    "music.skipped": {
        "en": "⏭ Skipped", "de": "⏭ Übersprungen", "es": "⏭ Saltada", "fr": "⏭ Passé", "pt-BR": "⏭ Pulada",
        "ja": "⏭ スキップ",
    },
    "music.back": {
        "en": "⏮ Back", "de": "⏮ Zurück", "es": "⏮ Atrás", "fr": "⏮ Retour", "pt-BR": "⏮ Voltou", "ja": "⏮ 戻る",
    },
    "music.seeked": {
        "en": "⏩ Now at {time} in **{title}**.", "de": "⏩ Jetzt bei {time} in **{title}**.",
        "es": "⏩ Ahora en {time} de **{title}**.", "fr": "⏩ Maintenant à {time} dans **{title}**.",
        "pt-BR": "⏩ Agora em {time} de **{title}**.", "ja": "⏩ **{title}** の {time} に移動しました。",
    },
    "music.volume_set": {
        "en": "🔊 Volume {volume}% in {channel}.", "de": "🔊 Lautstärke {volume}% in {channel}.",
        "es": "🔊 Volumen {volume}% en {channel}.", "fr": "🔊 Volume {volume}% dans {channel}.",
        "pt-BR": "🔊 Volume {volume}% em {channel}.", "ja": "🔊 {channel} の音量 {volume}%。",
    },
    "music.repeat_none": {
        "en": "➡ Repeat is off.", "de": "➡ Wiederholen ist aus.", "es": "➡ La repetición está desactivada.",
        "fr": "➡ La répétition est coupée.", "pt-BR": "➡ A repetição está desligada.", "ja": "➡ リピートはオフです。",
    },
    "music.repeat_one": {
        "en": "🔂 Repeating the current track.", "de": "🔂 Der aktuelle Titel wird wiederholt.",
        "es": "🔂 Repitiendo la pista actual.", "fr": "🔂 Répétition du titre en cours.",
        "pt-BR": "🔂 Repetindo a faixa atual.", "ja": "🔂 現在の曲をリピートします。",
    },
    "music.repeat_all": {
        "en": "🔁 Repeating the whole queue.", "de": "🔁 Die ganze Warteschlange wird wiederholt.",
        "es": "🔁 Repitiendo toda la cola.", "fr": "🔁 Répétition de toute la file d'attente.",
        "pt-BR": "🔁 Repetindo a fila inteira.", "ja": "🔁 キュー全体をリピートします。",
    },
    "music.shuffled": {
        "en": "🔀 Shuffled {count} upcoming tracks.", "de": "🔀 {count} kommende Titel gemischt.",
        "es": "🔀 Mezcladas {count} próximas pistas.", "fr": "🔀 {count} titres à venir mélangés.",
        "pt-BR": "🔀 {count} próximas faixas embaralhadas.", "ja": "🔀 次の {count} 曲をシャッフルしました。",
    },
    "music.board_refused": {
        "en": "I can't post in {channel}: give {bot} {permissions} there. "
              "The music plays anyway; only its now-playing message is missing.",
        "de": "Ich kann in {channel} nicht posten: gib {bot} dort {permissions}. "
              "Die Musik läuft trotzdem; nur die Now-Playing-Nachricht fehlt.",
        "es": "No puedo publicar en {channel}: dale a {bot} {permissions} allí. "
              "La música suena igual; solo falta su mensaje de reproducción.",
        "fr": "Je ne peux pas publier dans {channel} : donne à {bot} {permissions} là-bas. "
              "La musique joue quand même ; seul son message « en cours » manque.",
        "pt-BR": "Não consigo postar em {channel}: dê a {bot} {permissions} lá. "
                 "A música toca mesmo assim; só falta a mensagem do que está tocando.",
        "ja": "{channel} に投稿できません。そこで {bot} に {permissions} を付与してください。"
              "音楽は再生されますが、再生中メッセージだけが表示されません。",
    },
    "music.permission_view_channel": {
        "en": "View Channel", "de": "Kanal ansehen", "es": "Ver canal", "fr": "Voir le salon", "pt-BR": "Ver canal",
        "ja": "チャンネルを見る",
    },
    "music.permission_send_messages": {
        "en": "Send Messages", "de": "Nachrichten senden", "es": "Enviar mensajes", "fr": "Envoyer des messages",
        "pt-BR": "Enviar mensagens", "ja": "メッセージを送信",
    },
    "music.and": {
        "en": " and ", "de": " und ", "es": " y ", "fr": " et ", "pt-BR": " e ", "ja": "と",
    },
}
