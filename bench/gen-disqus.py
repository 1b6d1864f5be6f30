#!/usr/bin/env python3
"""gen-disqus.py SIZE_MB [ARTICLES]: a synthetic Disqus export of about
SIZE_MB megabytes on stdout, for measuring `bandocd import` on large
inputs (docs/import.md, "Large exports"). Every <thread> comes first, then
the <post>s: a third of them replies, a few spam or deleted, Vietnamese
text with a link now and then. Invented content only."""
import random
import sys

size = int(sys.argv[1]) * 1024 * 1024
articles = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
rnd = random.Random(1)
w = sys.stdout.write
words = ("bài viết rất hay cảm ơn tòa soạn đã đưa tin người dân địa phương "
         "mong chính quyền sớm giải quyết đường sá cầu cống mùa mưa lũ "
         "giá lúa năm nay tăng nông dân phấn khởi").split()

w('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
  'xmlns:dsq="http://disqus.com/disqus-internals">\n')
out = 200
for a in range(articles):
    t = ('<thread dsq:id="%d"><id>bai-%d</id><forum>baotinh</forum>'
         '<link>https://baotinh.example.vn/tin/bai-viet-so-%d.html</link>'
         '<title>Bài viết số %d</title><message/>'
         '<createdAt>2019-01-01T00:00:00Z</createdAt><author><name>Tòa soạn'
         '</name><isAnonymous>false</isAnonymous></author><isClosed>false'
         '</isClosed><isDeleted>false</isDeleted></thread>\n') % (a + 1, a + 1,
                                                               a + 1, a + 1)
    w(t)
    out += len(t.encode())
post = 0
recent = {}  # article -> its last few posts, for replies in the same thread
while out < size:
    post += 1
    art = rnd.randrange(articles) + 1
    parent = ''
    mine = recent.setdefault(art, [])
    if mine and rnd.random() < 0.33:
        parent = '<parent dsq:id="%d"/>' % (10000000 + rnd.choice(mine))
    mine.append(post)
    del mine[:-4]
    body = ' '.join(rnd.choice(words) for _ in range(rnd.randrange(8, 60)))
    if rnd.random() < 0.05:
        body += ' xem https://baotinh.example.vn/tin/lien-quan-%d.html' % art
    spam = 'true' if rnd.random() < 0.02 else 'false'
    deleted = 'true' if rnd.random() < 0.03 else 'false'
    p = ('<post dsq:id="%d"><id/><message><![CDATA[<p>%s</p>]]></message>'
         '<createdAt>2020-%02d-%02dT%02d:%02d:00Z</createdAt><isDeleted>%s'
         '</isDeleted><isSpam>%s</isSpam><author><email>ban.doc%d@example.vn'
         '</email><name>Bạn đọc %d</name><isAnonymous>false</isAnonymous>'
         '</author><ipAddress>192.0.2.%d</ipAddress><thread dsq:id="%d"/>%s'
         '</post>\n') % (10000000 + post, body, rnd.randrange(1, 13),
                        rnd.randrange(1, 29), rnd.randrange(24),
                        rnd.randrange(60), deleted, spam, post % 5000,
                        post % 5000, post % 250, art, parent)
    w(p)
    out += len(p.encode())
w('</disqus>\n')
