"""Messages of the search picker (``/search``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "search.prompt": {
        "en": "🔎 {count} results for **{query}**: pick one or more to queue. The menu closes in {seconds} s.",
        "de": "🔎 {count} Treffer für **{query}**: wähle einen oder mehrere für die Warteschlange. "
              "Das Menü schließt in {seconds} s.",
        "es": "🔎 {count} resultados para **{query}**: elige uno o varios para la cola. "
              "El menú se cierra en {seconds} s.",
        "fr": "🔎 {count} résultats pour **{query}** : choisis-en un ou plusieurs à ajouter. "
              "Le menu se ferme dans {seconds} s.",
        "pt-BR": "🔎 {count} resultados para **{query}**: escolha um ou mais para a fila. "
                 "O menu fecha em {seconds} s.",
        "ja": "🔎 **{query}** の検索結果 {count} 件: キューに追加する曲を選んでください。"
              "メニューは {seconds} 秒で閉じます。",
    },
    "search.placeholder": {
        "en": "Choose the tracks to queue",
        "de": "Titel für die Warteschlange wählen",
        "es": "Elige las canciones para la cola",
        "fr": "Choisis les titres à ajouter",
        "pt-BR": "Escolha as faixas para a fila",
        "ja": "キューに追加する曲を選択",
    },
    "search.not_yours": {
        "en": "This menu belongs to {user}. Run `/search` yourself to pick tracks.",
        "de": "Dieses Menü gehört {user}. Starte selbst `/search`, um Titel zu wählen.",
        "es": "Este menú es de {user}. Usa `/search` tú mismo para elegir canciones.",
        "fr": "Ce menu appartient à {user}. Lance `/search` toi-même pour choisir des titres.",
        "pt-BR": "Este menu é de {user}. Use `/search` você mesmo para escolher faixas.",
        "ja": "このメニューは {user} のものです。曲を選ぶには自分で `/search` を実行してください。",
    },
    "search.picking": {
        "en": "⏳ Your first pick from this menu is being queued; one pick per search.",
        "de": "⏳ Deine erste Wahl aus diesem Menü wird gerade eingereiht; eine Wahl pro Suche.",
        "es": "⏳ Tu primera elección de este menú ya se está añadiendo; una elección por búsqueda.",
        "fr": "⏳ Ton premier choix dans ce menu est en cours d'ajout ; un choix par recherche.",
        "pt-BR": "⏳ Sua primeira escolha deste menu já está sendo adicionada; uma escolha por busca.",
        "ja": "⏳ このメニューで最初に選んだ曲を追加しています。1 回の検索で選べるのは 1 回だけです。",
    },
    "search.expired": {
        "en": "⌛ This search for **{query}** expired; nothing was queued. Run `/search` again to pick tracks.",
        "de": "⌛ Diese Suche nach **{query}** ist abgelaufen; nichts wurde eingereiht. "
              "Starte `/search` erneut, um Titel zu wählen.",
        "es": "⌛ Esta búsqueda de **{query}** caducó; no se añadió nada. Usa `/search` otra vez para elegir.",
        "fr": "⌛ Cette recherche de **{query}** a expiré ; rien n'a été ajouté. Relance `/search` pour choisir.",
        "pt-BR": "⌛ Esta busca por **{query}** expirou; nada foi adicionado. Use `/search` de novo para escolher.",
        "ja": "⌛ **{query}** の検索は期限切れになりました。何も追加されていません。"
              "もう一度 `/search` を実行してください。",
    },
    "search.picked": {
        "en": "✅ {user} picked {count} of the results for **{query}**.",
        "de": "✅ {user} hat {count} der Treffer für **{query}** gewählt.",
        "es": "✅ {user} eligió {count} de los resultados para **{query}**.",
        "fr": "✅ {user} a choisi {count} des résultats pour **{query}**.",
        "pt-BR": "✅ {user} escolheu {count} dos resultados para **{query}**.",
        "ja": "✅ {user} が **{query}** の検索結果から {count} 件を選びました。",
    },
    "search.empty_query": {
        "en": "Tell me what to search for: a few words, like an artist or a title.",
        "de": "Sag mir, wonach ich suchen soll: ein paar Wörter, etwa ein Künstler oder ein Titel.",
        "es": "Dime qué buscar: unas palabras, como un artista o un título.",
        "fr": "Dis-moi quoi chercher : quelques mots, comme un artiste ou un titre.",
        "pt-BR": "Diga o que buscar: algumas palavras, como um artista ou um título.",
        "ja": "検索する言葉を入力してください（アーティスト名や曲名など）。",
    },
    "search.not_a_result": {
        "en": "{value} is not a result of this search.",
        "de": "{value} ist kein Ergebnis dieser Suche.",
        "es": "{value} no es un resultado de esta búsqueda.",
        "fr": "{value} n'est pas un résultat de cette recherche.",
        "pt-BR": "{value} não é um resultado desta busca.",
        "ja": "{value} はこの検索の結果ではありません。",
    },
}
