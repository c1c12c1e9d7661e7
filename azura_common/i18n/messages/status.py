"""Messages of /status: the cluster's bots, waiting sessions and Lavalink nodes, for an admin."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "status.session": {
        "en": "{count} session", "de": "{count} Sitzung", "es": "{count} sesión", "fr": "{count} session",
        "pt-BR": "{count} sessão", "ja": "{count} セッション",
    },
    "status.sessions": {
        "en": "{count} sessions", "de": "{count} Sitzungen", "es": "{count} sesiones", "fr": "{count} sessions",
        "pt-BR": "{count} sessões", "ja": "{count} セッション",
    },
    "status.not_logged_in": {
        "en": "(not logged in)", "de": "(nicht angemeldet)", "es": "(sin iniciar sesión)", "fr": "(non connecté)",
        "pt-BR": "(não conectado)", "ja": "（未ログイン）",
    },
    "status.parent": {
        "en": "parent", "de": "Hauptbot", "es": "principal", "fr": "principal", "pt-BR": "principal", "ja": "親",
    },
    "status.child": {
        "en": "child {name}", "de": "Kind {name}", "es": "hijo {name}", "fr": "enfant {name}", "pt-BR": "filho {name}",
        "ja": "子 {name}",
    },
    "status.offline": {
        "en": "offline", "de": "offline", "es": "desconectado", "fr": "hors ligne", "pt-BR": "offline",
        "ja": "オフライン",
    },
    "status.link": {
        "en": "link {ms} ms", "de": "Link {ms} ms", "es": "enlace {ms} ms", "fr": "lien {ms} ms",
        "pt-BR": "link {ms} ms", "ja": "リンク {ms} ms",
    },
    "status.stopping": {
        "en": "stopping", "de": "hält an", "es": "deteniéndose", "fr": "en arrêt", "pt-BR": "parando", "ja": "停止中",
    },
    "status.down": {
        "en": "down", "de": "ausgefallen", "es": "caído", "fr": "hors service", "pt-BR": "fora do ar", "ja": "ダウン",
    },
    "status.no_stats": {
        "en": "no stats yet", "de": "noch keine Werte", "es": "aún sin estadísticas", "fr": "pas encore de stats",
        "pt-BR": "ainda sem estatísticas", "ja": "統計なし",
    },
    "status.players": {
        "en": "{players} players ({playing} playing)", "de": "{players} Player ({playing} spielen)",
        "es": "{players} reproductores ({playing} sonando)", "fr": "{players} lecteurs ({playing} en lecture)",
        "pt-BR": "{players} players ({playing} tocando)", "ja": "プレイヤー {players}（再生中 {playing}）",
    },
    "status.cpu": {
        "en": "CPU {percent}%", "de": "CPU {percent}%", "es": "CPU {percent}%", "fr": "CPU {percent}%",
        "pt-BR": "CPU {percent}%", "ja": "CPU {percent}%",
    },
    "status.headline": {
        "en": "📊 **Azura status** · up {uptime} · {sessions}",
        "de": "📊 **Azura-Status** · läuft seit {uptime} · {sessions}",
        "es": "📊 **Estado de Azura** · activo {uptime} · {sessions}",
        "fr": "📊 **État d'Azura** · en ligne depuis {uptime} · {sessions}",
        "pt-BR": "📊 **Status do Azura** · ativo há {uptime} · {sessions}",
        "ja": "📊 **Azura の状態** · 稼働 {uptime} · {sessions}",
    },
    "status.bots": {
        "en": "**Bots** ({up}/{total} up)", "de": "**Bots** ({up}/{total} online)",
        "es": "**Bots** ({up}/{total} activos)", "fr": "**Bots** ({up}/{total} en ligne)",
        "pt-BR": "**Bots** ({up}/{total} ativos)", "ja": "**ボット**（{total} 中 {up} 稼働）",
    },
    "status.waiting": {
        "en": "⏸ {sessions} waiting for a free bot", "de": "⏸ {sessions} warten auf einen freien Bot",
        "es": "⏸ {sessions} esperando un bot libre", "fr": "⏸ {sessions} en attente d'un bot libre",
        "pt-BR": "⏸ {sessions} esperando um bot livre", "ja": "⏸ {sessions} が空きボットを待機中",
    },
    "status.no_node": {
        "en": "no node configured", "de": "kein Knoten eingerichtet", "es": "ningún nodo configurado",
        "fr": "aucun nœud configuré", "pt-BR": "nenhum nó configurado", "ja": "ノード未設定",
    },
}
