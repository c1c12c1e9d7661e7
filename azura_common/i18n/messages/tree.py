"""The command tree's error handler (``azura_parent/commands/tree.py``): failures that are not the user's."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "tree.cluster_unauthenticated": {
        "en": "The Azura bots can't talk to each other right now (a setup problem). Tell the server's admin; try "
              "again later.",
        "de": "Die Azura-Bots können gerade nicht miteinander sprechen (ein Einrichtungsproblem). Sag dem Admin des "
              "Servers Bescheid; versuche es später noch einmal.",
        "es": "Los bots de Azura no pueden comunicarse entre sí ahora mismo (un problema de configuración). Avisa al "
              "administrador del servidor; inténtalo más tarde.",
        "fr": "Les bots Azura ne peuvent pas communiquer entre eux pour le moment (un problème de configuration). "
              "Préviens l'admin du serveur ; réessaie plus tard.",
        "pt-BR": "Os bots da Azura não conseguem se comunicar agora (um problema de configuração). Avise o admin do "
                 "servidor; tente de novo mais tarde.",
        "ja": "Azura のボット同士が現在通信できません（設定の問題です）。"
              "サーバーの管理者に伝えて、後でもう一度お試しください。",
    },
    "tree.lavalink_refused": {
        "en": "the music server answered with an error. Try again, or try another search or link.",
        "de": "der Musikserver hat mit einem Fehler geantwortet. Versuche es noch einmal oder mit einer anderen Suche "
              "oder einem anderen Link.",
        "es": "el servidor de música respondió con un error. Inténtalo de nuevo o prueba otra búsqueda u otro enlace.",
        "fr": "le serveur de musique a répondu par une erreur. Réessaie, ou essaie une autre recherche ou un autre "
              "lien.",
        "pt-BR": "o servidor de música respondeu com um erro. Tente de novo, ou tente outra busca ou outro link.",
        "ja": "音楽サーバーがエラーを返しました。もう一度試すか、別の検索語やリンクをお試しください。",
    },
    "tree.couldnt_load_refused": {
        "en": "Couldn't load {query}: the music server answered with an error. Try again, or try another search or "
              "link.",
        "de": "{query} konnte nicht geladen werden: der Musikserver hat mit einem Fehler geantwortet. Versuche es "
              "noch einmal oder mit einer anderen Suche oder einem anderen Link.",
        "es": "No se pudo cargar {query}: el servidor de música respondió con un error. Inténtalo de nuevo o prueba "
              "otra búsqueda u otro enlace.",
        "fr": "Impossible de charger {query} : le serveur de musique a répondu par une erreur. Réessaie, ou essaie "
              "une autre recherche ou un autre lien.",
        "pt-BR": "Não foi possível carregar {query}: o servidor de música respondeu com um erro. Tente de novo, ou "
                 "tente outra busca ou outro link.",
        "ja": "{query} を読み込めませんでした。音楽サーバーがエラーを返しました。"
              "もう一度試すか、別の検索語やリンクをお試しください。",
    },
    "tree.music_server_error": {
        "en": "The music server answered with an error. Try again in a moment.",
        "de": "Der Musikserver hat mit einem Fehler geantwortet. Versuche es gleich noch einmal.",
        "es": "El servidor de música respondió con un error. Inténtalo de nuevo en un momento.",
        "fr": "Le serveur de musique a répondu par une erreur. Réessaie dans un instant.",
        "pt-BR": "O servidor de música respondeu com um erro. Tente de novo em instantes.",
        "ja": "音楽サーバーがエラーを返しました。しばらくしてからもう一度お試しください。",
    },
    "tree.check_failed": {
        "en": "You can't use that here.",
        "de": "Das kannst du hier nicht verwenden.",
        "es": "No puedes usar eso aquí.",
        "fr": "Tu ne peux pas utiliser ça ici.",
        "pt-BR": "Você não pode usar isso aqui.",
        "ja": "ここではそれを使えません。",
    },
    "tree.not_a_valid_value": {
        "en": "{value} is not a valid value for that option.",
        "de": "{value} ist kein gültiger Wert für diese Option.",
        "es": "{value} no es un valor válido para esa opción.",
        "fr": "{value} n'est pas une valeur valide pour cette option.",
        "pt-BR": "{value} não é um valor válido para essa opção.",
        "ja": "{value} はこのオプションに使える値ではありません。",
    },
}
