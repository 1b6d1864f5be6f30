-- CAPTCHA issue (seal a token): the JSON answer carries the URLs.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "site=bench&article=a1"
