"""The rules and the engine that runs them over parsed configurations (and an inventory), with
what the engine needs around it: settings, file discovery, parallelism, the rules' edits."""
