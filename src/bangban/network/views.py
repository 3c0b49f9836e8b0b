def locked_out(request, credentials=None, *args, **kwargs):
    raise NotImplementedError
