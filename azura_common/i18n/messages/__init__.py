"""The message catalogue, one module per area (see ``azura_common.i18n``)."""
