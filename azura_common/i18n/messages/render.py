"""Messages of the shared rendering (``azura_common/render.py``): track lines, now-playing lines, queue pages."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "render.tracks": {
        "en": "{count} tracks", "de": "{count} Titel", "es": "{count} pistas", "fr": "{count} titres",
        "pt-BR": "{count} faixas", "ja": "{count} 曲",
    },
    "render.autoplay_requester": {
        "en": "autoplay", "de": "Autoplay", "es": "autoplay", "fr": "autoplay", "pt-BR": "autoplay", "ja": "自動再生",
    },
    "render.nothing_playing": {
        "en": "Nothing is playing. Add something with `/play`.",
        "de": "Es läuft nichts. Füge etwas mit `/play` hinzu.",
        "es": "No suena nada. Añade algo con `/play`.",
        "fr": "Rien ne joue. Ajoute quelque chose avec `/play`.",
        "pt-BR": "Nada está tocando. Adicione algo com `/play`.",
        "ja": "何も再生していません。`/play` で追加してください。",
    },
    "render.paused": {
        "en": "⏸ Paused", "de": "⏸ Pausiert", "es": "⏸ En pausa", "fr": "⏸ En pause", "pt-BR": "⏸ Pausado",
        "ja": "⏸ 一時停止中",
    },
    "render.playing": {
        "en": "▶ Playing", "de": "▶ Läuft", "es": "▶ Sonando", "fr": "▶ En lecture", "pt-BR": "▶ Tocando",
        "ja": "▶ 再生中",
    },
    "render.position_of": {
        "en": "#{position} of {total}", "de": "#{position} von {total}", "es": "#{position} de {total}",
        "fr": "#{position} sur {total}", "pt-BR": "#{position} de {total}", "ja": "{total} 曲中 #{position}",
    },
    "render.up_next": {
        "en": "{count} up next", "de": "{count} als Nächstes", "es": "{count} a continuación",
        "fr": "{count} à suivre", "pt-BR": "{count} a seguir", "ja": "次に {count} 曲",
    },
    "render.repeat_one": {
        "en": "🔂 repeat one", "de": "🔂 Titel wiederholen", "es": "🔂 repetir una", "fr": "🔂 répéter un titre",
        "pt-BR": "🔂 repetir uma", "ja": "🔂 1 曲リピート",
    },
    "render.repeat_all": {
        "en": "🔁 repeat all", "de": "🔁 alle wiederholen", "es": "🔁 repetir todo", "fr": "🔁 tout répéter",
        "pt-BR": "🔁 repetir tudo", "ja": "🔁 全曲リピート",
    },
    "render.autoplay_on": {
        "en": "♾ autoplay on", "de": "♾ Autoplay an", "es": "♾ autoplay activado", "fr": "♾ autoplay activé",
        "pt-BR": "♾ autoplay ligado", "ja": "♾ 自動再生オン",
    },
    "render.queue_empty": {
        "en": "The queue is empty.", "de": "Die Warteschlange ist leer.", "es": "La cola está vacía.",
        "fr": "La file d'attente est vide.", "pt-BR": "A fila está vazia.", "ja": "キューは空です。",
    },
    "render.page_empty": {
        "en": "No tracks on this page.", "de": "Keine Titel auf dieser Seite.", "es": "No hay pistas en esta página.",
        "fr": "Aucun titre sur cette page.", "pt-BR": "Nenhuma faixa nesta página.",
        "ja": "このページには曲がありません。",
    },
    "render.queue_head": {
        "en": "📜 **{title}** — {total} tracks, page {page}/{pages}",
        "de": "📜 **{title}** — {total} Titel, Seite {page}/{pages}",
        "es": "📜 **{title}** — {total} pistas, página {page}/{pages}",
        "fr": "📜 **{title}** — {total} titres, page {page}/{pages}",
        "pt-BR": "📜 **{title}** — {total} faixas, página {page}/{pages}",
        "ja": "📜 **{title}** — {total} 曲、{page}/{pages} ページ",
    },
    "render.queued_one": {
        "en": "🎶 Queued {track} at **#{position}**",
        "de": "🎶 {track} auf **#{position}** eingereiht",
        "es": "🎶 Añadida {track} en **#{position}**",
        "fr": "🎶 {track} ajouté en **#{position}**",
        "pt-BR": "🎶 {track} adicionada em **#{position}**",
        "ja": "🎶 {track} を **#{position}** に追加しました",
    },
    "render.queued_many": {
        "en": "🎶 Queued **{count} tracks**{origin} ({length}) at **{span}**",
        "de": "🎶 **{count} Titel**{origin} ({length}) auf **{span}** eingereiht",
        "es": "🎶 Añadidas **{count} pistas**{origin} ({length}) en **{span}**",
        "fr": "🎶 **{count} titres**{origin} ({length}) ajoutés en **{span}**",
        "pt-BR": "🎶 **{count} faixas**{origin} ({length}) adicionadas em **{span}**",
        "ja": "🎶 **{count} 曲**{origin}（{length}）を **{span}** に追加しました",
    },
    "render.queued_from": {
        "en": " from **{source}**", "de": " aus **{source}**", "es": " de **{source}**", "fr": " de **{source}**",
        "pt-BR": " de **{source}**", "ja": "（**{source}** から）",
    },
    "render.playing_now": {
        "en": " — playing now.", "de": " — läuft jetzt.", "es": " — sonando ya.", "fr": " — lecture en cours.",
        "pt-BR": " — tocando agora.", "ja": " — 再生中です。",
    },
    "render.sentence_end": {
        "en": ".", "de": ".", "es": ".", "fr": ".", "pt-BR": ".", "ja": "。",
    },
    "render.moved_to_end": {
        "en": "{verb}: that was the end of the queue.",
        "de": "{verb}: das war das Ende der Warteschlange.",
        "es": "{verb}: era el final de la cola.",
        "fr": "{verb} : c'était la fin de la file d'attente.",
        "pt-BR": "{verb}: esse era o fim da fila.",
        "ja": "{verb}：キューの最後でした。",
    },
    "render.moved_to": {
        "en": "{verb} to **#{position}** {track}.",
        "de": "{verb} zu **#{position}** {track}.",
        "es": "{verb} a **#{position}** {track}.",
        "fr": "{verb} vers **#{position}** {track}.",
        "pt-BR": "{verb} para **#{position}** {track}.",
        "ja": "{verb}：**#{position}** {track}。",
    },
}
