"""The command-line shell: parses arguments, calls the core, prints. No domain logic here."""
