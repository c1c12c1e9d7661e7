"""What the parent's commands answer (``azura_parent/commands``: queue, playlists, settings, server, status)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    # -- queue ----------------------------------------------------------------------------------------
    "replies.queue_title": {
        "en": "Queue in {channel}", "de": "Warteschlange in {channel}", "es": "Cola en {channel}",
        "fr": "File d'attente dans {channel}", "pt-BR": "Fila em {channel}", "ja": "{channel} のキュー",
    },
    "replies.nothing_played_yet": {
        "en": "📜 Nothing has played yet.", "de": "📜 Bisher wurde nichts gespielt.",
        "es": "📜 Todavía no ha sonado nada.", "fr": "📜 Rien n'a encore été joué.",
        "pt-BR": "📜 Nada tocou ainda.", "ja": "📜 まだ何も再生されていません。",
    },
    "replies.recently_played": {
        "en": "📜 **Recently played in {channel}**", "de": "📜 **Zuletzt gespielt in {channel}**",
        "es": "📜 **Sonado recientemente en {channel}**", "fr": "📜 **Joué récemment dans {channel}**",
        "pt-BR": "📜 **Tocadas recentemente em {channel}**", "ja": "📜 **{channel} で最近再生された曲**",
    },
    "replies.moved": {
        "en": "↕ Moved **{title}** from #{source} to #{target}.",
        "de": "↕ **{title}** von #{source} nach #{target} verschoben.",
        "es": "↕ **{title}** movida de #{source} a #{target}.",
        "fr": "↕ **{title}** déplacé de #{source} à #{target}.",
        "pt-BR": "↕ **{title}** movida de #{source} para #{target}.",
        "ja": "↕ **{title}** を #{source} から #{target} に移動しました。",
    },
    "replies.the_track": {
        "en": "the track", "de": "der Titel", "es": "la pista", "fr": "le titre", "pt-BR": "a faixa", "ja": "その曲",
    },
    "replies.removed": {
        "en": "🗑 Removed {tracks}.", "de": "🗑 Entfernt: {tracks}.", "es": "🗑 Quitado: {tracks}.",
        "fr": "🗑 Retiré : {tracks}.", "pt-BR": "🗑 Removido: {tracks}.", "ja": "🗑 {tracks} を削除しました。",
    },
    "replies.nothing_matched": {
        "en": "Nothing matched; the queue is unchanged.",
        "de": "Nichts passte; die Warteschlange ist unverändert.",
        "es": "Nada coincidió; la cola no ha cambiado.",
        "fr": "Rien ne correspondait ; la file d'attente est inchangée.",
        "pt-BR": "Nada correspondeu; a fila não mudou.",
        "ja": "一致するものがありませんでした。キューは変更されていません。",
    },
    "replies.cleared": {
        "en": "🧹 Cleared {count} upcoming tracks.", "de": "🧹 {count} kommende Titel entfernt.",
        "es": "🧹 Se quitaron {count} próximas pistas.", "fr": "🧹 {count} titres à venir retirés.",
        "pt-BR": "🧹 {count} próximas faixas removidas.", "ja": "🧹 次の曲 {count} 曲をクリアしました。",
    },
    # -- settings -------------------------------------------------------------------------------------
    "replies.mode_set": {
        "en": "⚙ Your tracks now go in **{mode}** order.",
        "de": "⚙ Deine Titel kommen jetzt in **{mode}**-Reihenfolge.",
        "es": "⚙ Tus pistas ahora van en orden **{mode}**.",
        "fr": "⚙ Tes titres vont maintenant dans l'ordre **{mode}**.",
        "pt-BR": "⚙ Suas faixas agora entram na ordem **{mode}**.",
        "ja": "⚙ あなたの曲は **{mode}** 順で追加されます。",
    },
    "replies.volume_step_set": {
        "en": "⚙ /volume + and - now step by **{step}**.", "de": "⚙ /volume + und - ändern jetzt um **{step}**.",
        "es": "⚙ /volume + y - ahora cambian de **{step}** en **{step}**.",
        "fr": "⚙ /volume + et - changent maintenant de **{step}**.",
        "pt-BR": "⚙ /volume + e - agora mudam de **{step}** em **{step}**.",
        "ja": "⚙ /volume の + と - は **{step}** ずつ変わります。",
    },
    "replies.settings_shown": {
        "en": "⚙ Mode **{mode}** · volume step **{step}** · last volume **{last}**",
        "de": "⚙ Modus **{mode}** · Lautstärkeschritt **{step}** · letzte Lautstärke **{last}**",
        "es": "⚙ Modo **{mode}** · paso de volumen **{step}** · último volumen **{last}**",
        "fr": "⚙ Mode **{mode}** · pas du volume **{step}** · dernier volume **{last}**",
        "pt-BR": "⚙ Modo **{mode}** · passo do volume **{step}** · último volume **{last}**",
        "ja": "⚙ モード **{mode}** · 音量ステップ **{step}** · 前回の音量 **{last}**",
    },
    "replies.not_set": {
        "en": "not set", "de": "nicht gesetzt", "es": "sin definir", "fr": "non défini", "pt-BR": "não definido",
        "ja": "未設定",
    },
    # -- server ---------------------------------------------------------------------------------------
    "replies.dj_role_set": {
        "en": "🎧 DJs are now members with {role}.", "de": "🎧 DJs sind jetzt Mitglieder mit {role}.",
        "es": "🎧 Ahora los DJ son los miembros con {role}.",
        "fr": "🎧 Les DJ sont maintenant les membres avec {role}.",
        "pt-BR": "🎧 Agora os DJs são os membros com {role}.", "ja": "🎧 {role} を持つメンバーが DJ になりました。",
    },
    "replies.dj_role_cleared": {
        "en": "🎧 No DJ role: everyone can DJ.", "de": "🎧 Keine DJ-Rolle: alle können DJ sein.",
        "es": "🎧 Sin rol de DJ: todos pueden ser DJ.", "fr": "🎧 Pas de rôle DJ : tout le monde peut être DJ.",
        "pt-BR": "🎧 Sem cargo de DJ: todos podem ser DJ.", "ja": "🎧 DJ ロールなし：全員が DJ になれます。",
    },
    "replies.always_on": {
        "en": "🌙 24/7 mode is on: I stay in voice.", "de": "🌙 24/7-Modus ist an: ich bleibe im Sprachkanal.",
        "es": "🌙 El modo 24/7 está activado: me quedo en voz.",
        "fr": "🌙 Le mode 24/7 est activé : je reste en vocal.",
        "pt-BR": "🌙 O modo 24/7 está ligado: eu fico na voz.", "ja": "🌙 24 時間モードがオンです。ボイスに残ります。",
    },
    "replies.always_off": {
        "en": "⏱ 24/7 mode is off: I leave when idle.", "de": "⏱ 24/7-Modus ist aus: ich gehe, wenn nichts läuft.",
        "es": "⏱ El modo 24/7 está desactivado: salgo cuando estoy inactivo.",
        "fr": "⏱ Le mode 24/7 est désactivé : je pars quand je suis inactif.",
        "pt-BR": "⏱ O modo 24/7 está desligado: eu saio quando ocioso.",
        "ja": "⏱ 24 時間モードがオフです。待機中は退出します。",
    },
    "replies.idle_timeout_set": {
        "en": "⏱ I leave idle channels after {seconds} s.", "de": "⏱ Ich verlasse untätige Kanäle nach {seconds} s.",
        "es": "⏱ Salgo de los canales inactivos tras {seconds} s.",
        "fr": "⏱ Je quitte les salons inactifs après {seconds} s.",
        "pt-BR": "⏱ Eu saio de canais ociosos após {seconds} s.",
        "ja": "⏱ 待機中のチャンネルから {seconds} 秒後に退出します。",
    },
    # -- status ---------------------------------------------------------------------------------------
    "replies.admins_only": {
        "en": "Only members with Manage Server can see Azura's status.",
        "de": "Nur Mitglieder mit „Server verwalten“ können Azuras Status sehen.",
        "es": "Solo los miembros con Gestionar servidor pueden ver el estado de Azura.",
        "fr": "Seuls les membres ayant Gérer le serveur peuvent voir le statut d'Azura.",
        "pt-BR": "Só membros com Gerenciar servidor podem ver o status da Azura.",
        "ja": "Azura のステータスを見られるのはサーバー管理権限を持つメンバーだけです。",
    },
    # -- playlists ------------------------------------------------------------------------------------
    "replies.playlist_created": {
        "en": "📁 Created playlist **{name}**.", "de": "📁 Playlist **{name}** erstellt.",
        "es": "📁 Playlist **{name}** creada.", "fr": "📁 Playlist **{name}** créée.",
        "pt-BR": "📁 Playlist **{name}** criada.", "ja": "📁 プレイリスト **{name}** を作成しました。",
    },
    "replies.playlist_deleted": {
        "en": "🗑 Deleted playlist **{name}** ({size} tracks).", "de": "🗑 Playlist **{name}** gelöscht ({size} Titel).",
        "es": "🗑 Playlist **{name}** borrada ({size} pistas).",
        "fr": "🗑 Playlist **{name}** supprimée ({size} titres).",
        "pt-BR": "🗑 Playlist **{name}** apagada ({size} faixas).",
        "ja": "🗑 プレイリスト **{name}** を削除しました（{size} 曲）。",
    },
    "replies.playlist_renamed": {
        "en": "✏ Renamed to **{name}**.", "de": "✏ Umbenannt in **{name}**.", "es": "✏ Renombrada a **{name}**.",
        "fr": "✏ Renommée en **{name}**.",
        "pt-BR": "✏ Renomeada para **{name}**.",
        "ja": "✏ **{name}** に名前を変更しました。",
    },
    "replies.playlist_head": {
        "en": "📁 **{name}** by {owner} · {visibility} · {total} tracks, page {page}/{pages}",
        "de": "📁 **{name}** von {owner} · {visibility} · {total} Titel, Seite {page}/{pages}",
        "es": "📁 **{name}** de {owner} · {visibility} · {total} pistas, página {page}/{pages}",
        "fr": "📁 **{name}** par {owner} · {visibility} · {total} titres, page {page}/{pages}",
        "pt-BR": "📁 **{name}** de {owner} · {visibility} · {total} faixas, página {page}/{pages}",
        "ja": "📁 {owner} の **{name}** · {visibility} · {total} 曲、ページ {page}/{pages}",
    },
    "replies.playlist_empty_page": {
        "en": "(empty)", "de": "(leer)", "es": "(vacía)", "fr": "(vide)", "pt-BR": "(vazia)", "ja": "（空）",
    },
    "replies.playlist_added": {
        "en": "📁 Added {tracks} to **{name}** (#{first}–#{last}).",
        "de": "📁 {tracks} zu **{name}** hinzugefügt (#{first}–#{last}).",
        "es": "📁 {tracks} añadido a **{name}** (#{first}–#{last}).",
        "fr": "📁 {tracks} ajouté à **{name}** (#{first}–#{last}).",
        "pt-BR": "📁 {tracks} adicionado a **{name}** (#{first}–#{last}).",
        "ja": "📁 {tracks} を **{name}** に追加しました（#{first}–#{last}）。",
    },
    "replies.playlist_removed": {
        "en": "🗑 Removed {tracks} from **{name}**.", "de": "🗑 {tracks} aus **{name}** entfernt.",
        "es": "🗑 {tracks} quitado de **{name}**.", "fr": "🗑 {tracks} retiré de **{name}**.",
        "pt-BR": "🗑 {tracks} removido de **{name}**.", "ja": "🗑 **{name}** から {tracks} を削除しました。",
    },
    "replies.playlist_trimmed": {
        "en": "✂ #{position} {track} now plays {span}.", "de": "✂ #{position} {track} spielt jetzt {span}.",
        "es": "✂ #{position} {track} ahora suena {span}.", "fr": "✂ #{position} {track} joue maintenant {span}.",
        "pt-BR": "✂ #{position} {track} agora toca {span}.", "ja": "✂ #{position} {track} は {span} を再生します。",
    },
    "replies.trim_end": {
        "en": "end", "de": "Ende", "es": "final", "fr": "fin", "pt-BR": "fim", "ja": "最後",
    },
    "replies.playlist_visibility": {
        "en": "👁 **{name}** is now {visibility}.", "de": "👁 **{name}** ist jetzt {visibility}.",
        "es": "👁 **{name}** ahora es {visibility}.", "fr": "👁 **{name}** est maintenant {visibility}.",
        "pt-BR": "👁 **{name}** agora é {visibility}.", "ja": "👁 **{name}** は {visibility} になりました。",
    },
    "replies.playlist_needs_query": {
        "en": "Give a `query` to add (search words or a link).",
        "de": "Gib eine `query` zum Hinzufügen an (Suchbegriffe oder ein Link).",
        "es": "Indica una `query` para añadir (palabras de búsqueda o un enlace).",
        "fr": "Donne une `query` à ajouter (des mots de recherche ou un lien).",
        "pt-BR": "Informe uma `query` para adicionar (palavras de busca ou um link).",
        "ja": "追加する `query`（検索語またはリンク）を指定してください。",
    },
    "replies.playlist_is_empty": {
        "en": "**{name}** is empty.", "de": "**{name}** ist leer.", "es": "**{name}** está vacía.",
        "fr": "**{name}** est vide.", "pt-BR": "**{name}** está vazia.", "ja": "**{name}** は空です。",
    },
}
