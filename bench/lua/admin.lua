-- The moderators' queue: the session cookie comes from the environment.
wrk.headers["Cookie"] = os.getenv("ADMIN_COOKIE")
