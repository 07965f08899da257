"""Code shared by the bot and the processor: settings, models, survey data, text tools."""
