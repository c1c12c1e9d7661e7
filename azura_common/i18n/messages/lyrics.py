"""Messages of /lyrics."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "lyrics.title": {
        "en": "🎤 **Lyrics of {title}**",
        "de": "🎤 **Songtext von {title}**",
        "es": "🎤 **Letra de {title}**",
        "fr": "🎤 **Paroles de {title}**",
        "pt-BR": "🎤 **Letra de {title}**",
        "ja": "🎤 **{title} の歌詞**",
    },
    "lyrics.footer_synced": {
        "en": "page {page}/{pages} · synced · {provider}",
        "de": "Seite {page}/{pages} · synchron · {provider}",
        "es": "página {page}/{pages} · sincronizada · {provider}",
        "fr": "page {page}/{pages} · synchronisées · {provider}",
        "pt-BR": "página {page}/{pages} · sincronizada · {provider}",
        "ja": "{page}/{pages} ページ · 同期 · {provider}",
    },
    "lyrics.footer_plain": {
        "en": "page {page}/{pages} · {provider}",
        "de": "Seite {page}/{pages} · {provider}",
        "es": "página {page}/{pages} · {provider}",
        "fr": "page {page}/{pages} · {provider}",
        "pt-BR": "página {page}/{pages} · {provider}",
        "ja": "{page}/{pages} ページ · {provider}",
    },
    "lyrics.not_found": {
        "en": "I couldn't find lyrics for {title}.",
        "de": "Ich habe keinen Songtext für {title} gefunden.",
        "es": "No encontré la letra de {title}.",
        "fr": "Je n'ai pas trouvé les paroles de {title}.",
        "pt-BR": "Não encontrei a letra de {title}.",
        "ja": "{title} の歌詞が見つかりませんでした。",
    },
    "lyrics.nothing_playing": {
        "en": "Nothing is playing, so there are no lyrics to show. Start something with /play.",
        "de": "Es läuft nichts, also gibt es keinen Songtext. Starte etwas mit /play.",
        "es": "No suena nada, así que no hay letra que mostrar. Pon algo con /play.",
        "fr": "Rien ne joue, donc pas de paroles à afficher. Lance quelque chose avec /play.",
        "pt-BR": "Nada está tocando, então não há letra para mostrar. Comece algo com /play.",
        "ja": "何も再生していないため、表示する歌詞がありません。/play で再生してください。",
    },
    "lyrics.no_plugin": {
        "en": "This music server has no lyrics plugin (LavaLyrics or LavaSrc), so I can't show lyrics.",
        "de": "Dieser Musikserver hat kein Songtext-Plugin (LavaLyrics oder LavaSrc), daher kann ich keine "
              "zeigen.",
        "es": "Este servidor de música no tiene un plugin de letras (LavaLyrics o LavaSrc), así que no puedo "
              "mostrarlas.",
        "fr": "Ce serveur de musique n'a pas de plugin de paroles (LavaLyrics ou LavaSrc) : je ne peux pas les "
              "afficher.",
        "pt-BR": "Este servidor de música não tem plugin de letras (LavaLyrics ou LavaSrc), então não posso "
                 "mostrá-las.",
        "ja": "この音楽サーバーには歌詞プラグイン（LavaLyrics または LavaSrc）がないため、歌詞を表示できません。",
    },
    "lyrics.ended": {
        "en": "That session has ended; its lyrics are gone.",
        "de": "Diese Sitzung ist beendet; ihr Songtext ist weg.",
        "es": "Esa sesión terminó; su letra ya no está.",
        "fr": "Cette session est terminée ; ses paroles ne sont plus là.",
        "pt-BR": "Essa sessão terminou; a letra não está mais disponível.",
        "ja": "そのセッションは終了したため、歌詞はもうありません。",
    },
    "lyrics.now": {
        "en": "🎯 Now", "de": "🎯 Jetzt", "es": "🎯 Ahora", "fr": "🎯 Maintenant", "pt-BR": "🎯 Agora", "ja": "🎯 今",
    },
    "lyrics.lookup_failed": {
        "en": "The music server could not look the lyrics up. Try again in a moment.",
        "de": "Der Musikserver konnte den Songtext nicht nachschlagen. Versuche es gleich noch einmal.",
        "es": "El servidor de música no pudo buscar la letra. Inténtalo de nuevo en un momento.",
        "fr": "Le serveur de musique n'a pas pu chercher les paroles. Réessaie dans un instant.",
        "pt-BR": "O servidor de música não conseguiu buscar a letra. Tente de novo daqui a pouco.",
        "ja": "音楽サーバーが歌詞を検索できませんでした。少し待ってからもう一度お試しください。",
    },
    "lyrics.server_slow": {
        "en": "The music server did not answer in time; try /lyrics again.",
        "de": "Der Musikserver hat nicht rechtzeitig geantwortet; versuche /lyrics noch einmal.",
        "es": "El servidor de música no respondió a tiempo; prueba /lyrics otra vez.",
        "fr": "Le serveur de musique n'a pas répondu à temps ; réessaie /lyrics.",
        "pt-BR": "O servidor de música não respondeu a tempo; tente /lyrics de novo.",
        "ja": "音楽サーバーが時間内に応答しませんでした。もう一度 /lyrics をお試しください。",
    },
}
