"""FIT writer (placeholder until implemented)."""


def write_fit(activity, path):
    raise NotImplementedError
