"""Messages of the playlist store's refusals (names, visibility, positions, room, ownership)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "playlists.not_found": {
        "en": "There is no playlist by that name.", "de": "Es gibt keine Playlist mit diesem Namen.",
        "es": "No hay ninguna playlist con ese nombre.", "fr": "Il n'y a pas de playlist de ce nom.",
        "pt-BR": "Não há playlist com esse nome.", "ja": "その名前のプレイリストはありません。",
    },
    "playlists.name_empty": {
        "en": "A playlist name can't be empty.", "de": "Ein Playlist-Name darf nicht leer sein.",
        "es": "El nombre de una playlist no puede estar vacío.", "fr": "Un nom de playlist ne peut pas être vide.",
        "pt-BR": "O nome de uma playlist não pode ficar vazio.", "ja": "プレイリスト名を空にはできません。",
    },
    "playlists.name_too_long": {
        "en": "A playlist name can be at most {max} characters long.",
        "de": "Ein Playlist-Name darf höchstens {max} Zeichen lang sein.",
        "es": "El nombre de una playlist puede tener como máximo {max} caracteres.",
        "fr": "Un nom de playlist peut faire au plus {max} caractères.",
        "pt-BR": "O nome de uma playlist pode ter no máximo {max} caracteres.",
        "ja": "プレイリスト名は最大 {max} 文字です。",
    },
    "playlists.name_control": {
        "en": "A playlist name can't contain control characters.",
        "de": "Ein Playlist-Name darf keine Steuerzeichen enthalten.",
        "es": "El nombre de una playlist no puede contener caracteres de control.",
        "fr": "Un nom de playlist ne peut pas contenir de caractères de contrôle.",
        "pt-BR": "O nome de uma playlist não pode conter caracteres de controle.",
        "ja": "プレイリスト名に制御文字は使えません。",
    },
    "playlists.visibility_unknown": {
        "en": "Visibility must be one of {names}, not {value}.",
        "de": "Die Sichtbarkeit muss eine von {names} sein, nicht {value}.",
        "es": "La visibilidad debe ser una de {names}, no {value}.",
        "fr": "La visibilité doit être l'une de {names}, pas {value}.",
        "pt-BR": "A visibilidade deve ser uma de {names}, não {value}.",
        "ja": "公開範囲は {value} ではなく {names} のいずれかにしてください。",
    },
    "playlists.entry_of_empty": {
        "en": "Position {position} is out of range: the playlist '{name}' is empty.",
        "de": "Position {position} liegt außerhalb: die Playlist '{name}' ist leer.",
        "es": "La posición {position} está fuera de rango: la playlist '{name}' está vacía.",
        "fr": "La position {position} est hors limites : la playlist '{name}' est vide.",
        "pt-BR": "A posição {position} está fora do intervalo: a playlist '{name}' está vazia.",
        "ja": "位置 {position} は範囲外です。プレイリスト「{name}」は空です。",
    },
    "playlists.entry_before_start": {
        "en": "Position {position} is out of range: positions start at 1.",
        "de": "Position {position} liegt außerhalb: Positionen beginnen bei 1.",
        "es": "La posición {position} está fuera de rango: las posiciones empiezan en 1.",
        "fr": "La position {position} est hors limites : les positions commencent à 1.",
        "pt-BR": "A posição {position} está fora do intervalo: as posições começam em 1.",
        "ja": "位置 {position} は範囲外です。位置は 1 から始まります。",
    },
    "playlists.entry_past_end_one": {
        "en": "Position {position} is past the end of the playlist '{name}' ({total} track).",
        "de": "Position {position} liegt hinter dem Ende der Playlist '{name}' ({total} Titel).",
        "es": "La posición {position} está más allá del final de la playlist '{name}' ({total} pista).",
        "fr": "La position {position} dépasse la fin de la playlist '{name}' ({total} titre).",
        "pt-BR": "A posição {position} passa do fim da playlist '{name}' ({total} faixa).",
        "ja": "位置 {position} はプレイリスト「{name}」（{total} 曲）の終わりを超えています。",
    },
    "playlists.entry_past_end": {
        "en": "Position {position} is past the end of the playlist '{name}' ({total} tracks).",
        "de": "Position {position} liegt hinter dem Ende der Playlist '{name}' ({total} Titel).",
        "es": "La posición {position} está más allá del final de la playlist '{name}' ({total} pistas).",
        "fr": "La position {position} dépasse la fin de la playlist '{name}' ({total} titres).",
        "pt-BR": "A posição {position} passa do fim da playlist '{name}' ({total} faixas).",
        "ja": "位置 {position} はプレイリスト「{name}」（{total} 曲）の終わりを超えています。",
    },
    "playlists.already_have": {
        "en": "You already have a playlist called '{name}'.", "de": "Du hast schon eine Playlist namens '{name}'.",
        "es": "Ya tienes una playlist llamada '{name}'.", "fr": "Tu as déjà une playlist nommée '{name}'.",
        "pt-BR": "Você já tem uma playlist chamada '{name}'.", "ja": "「{name}」というプレイリストはすでにあります。",
    },
    "playlists.user_has_none": {
        "en": "That user has no playlist called '{name}'.", "de": "Diese Person hat keine Playlist namens '{name}'.",
        "es": "Ese usuario no tiene ninguna playlist llamada '{name}'.",
        "fr": "Cet utilisateur n'a pas de playlist nommée '{name}'.",
        "pt-BR": "Esse usuário não tem playlist chamada '{name}'.",
        "ja": "そのユーザーに「{name}」というプレイリストはありません。",
    },
    "playlists.private": {
        "en": "That playlist is private.", "de": "Diese Playlist ist privat.", "es": "Esa playlist es privada.",
        "fr": "Cette playlist est privée.", "pt-BR": "Essa playlist é privada.", "ja": "そのプレイリストは非公開です。",
    },
    "playlists.you_have_none": {
        "en": "You have no playlist called '{name}'.", "de": "Du hast keine Playlist namens '{name}'.",
        "es": "No tienes ninguna playlist llamada '{name}'.", "fr": "Tu n'as pas de playlist nommée '{name}'.",
        "pt-BR": "Você não tem playlist chamada '{name}'.", "ja": "「{name}」というプレイリストはありません。",
    },
    "playlists.gone": {
        "en": "That playlist no longer exists.", "de": "Diese Playlist gibt es nicht mehr.",
        "es": "Esa playlist ya no existe.",
        "fr": "Cette playlist n'existe plus.", "pt-BR": "Essa playlist não existe mais.",
        "ja": "そのプレイリストはもう存在しません。",
    },
    "playlists.full_one": {
        "en": "A playlist holds at most {max} tracks: '{name}' has room for {room} more, not {count} track.",
        "de": "Eine Playlist fasst höchstens {max} Titel: in '{name}' ist Platz für {room} weitere, nicht {count} "
              "Titel.",
        "es": "Una playlist admite como máximo {max} pistas: en '{name}' caben {room} más, no {count} pista.",
        "fr": "Une playlist contient au plus {max} titres : '{name}' a de la place pour {room} de plus, pas {count} "
              "titre.",
        "pt-BR": "Uma playlist comporta no máximo {max} faixas: '{name}' tem espaço para mais {room}, não {count} "
                 "faixa.",
        "ja": "プレイリストは最大 {max} 曲です。「{name}」にはあと {room} 曲しか入らず、{count} 曲は追加できません。",
    },
    "playlists.full": {
        "en": "A playlist holds at most {max} tracks: '{name}' has room for {room} more, not {count} tracks.",
        "de": "Eine Playlist fasst höchstens {max} Titel: in '{name}' ist Platz für {room} weitere, nicht {count} "
              "Titel.",
        "es": "Una playlist admite como máximo {max} pistas: en '{name}' caben {room} más, no {count} pistas.",
        "fr": "Une playlist contient au plus {max} titres : '{name}' a de la place pour {room} de plus, pas {count} "
              "titres.",
        "pt-BR": "Uma playlist comporta no máximo {max} faixas: '{name}' tem espaço para mais {room}, não {count} "
                 "faixas.",
        "ja": "プレイリストは最大 {max} 曲です。「{name}」にはあと {room} 曲しか入らず、{count} 曲は追加できません。",
    },
    "playlists.range_backwards": {
        "en": "The end of the range ({last}) comes before its start ({start}).",
        "de": "Das Ende des Bereichs ({last}) liegt vor seinem Anfang ({start}).",
        "es": "El final del rango ({last}) va antes de su inicio ({start}).",
        "fr": "La fin de la plage ({last}) vient avant son début ({start}).",
        "pt-BR": "O fim do intervalo ({last}) vem antes do início ({start}).",
        "ja": "範囲の終わり（{last}）が始まり（{start}）より前です。",
    },
    "playlists.page_before_first": {
        "en": "A page can't start before the first entry.",
        "de": "Eine Seite kann nicht vor dem ersten Eintrag beginnen.",
        "es": "Una página no puede empezar antes de la primera entrada.",
        "fr": "Une page ne peut pas commencer avant la première entrée.",
        "pt-BR": "Uma página não pode começar antes da primeira entrada.",
        "ja": "ページは最初の項目より前から始められません。",
    },
    "playlists.page_negative": {
        "en": "A page can't hold a negative number of entries.",
        "de": "Eine Seite kann keine negative Anzahl Einträge haben.",
        "es": "Una página no puede tener un número negativo de entradas.",
        "fr": "Une page ne peut pas contenir un nombre négatif d'entrées.",
        "pt-BR": "Uma página não pode ter um número negativo de entradas.",
        "ja": "ページの項目数を負にはできません。",
    },
}
