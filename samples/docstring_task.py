"""The docstring task: select from `def` to the last `:param` (before its name) and run Generate Prompt Set."""


def load_setting(self, path, section, default):
    """Read one setting from a configuration file.

    :param path: the file to read
    :param section: the part of the file to look in
    :param default: what to return when the setting is missing
    """
    return self.read(path).get(section, default)
