-- An Isso database (isso/db/*.py, schema version 3), hand-written:
-- sqlite3 isso.db < isso.sql builds it. mode: 1 accepted, 2 pending,
-- 4 deleted (emptied; kept because it has a reply). Comment 6 refers to
-- a thread that is not there (SQLite does not enforce "REFERENCES").
PRAGMA user_version = 3;
CREATE TABLE IF NOT EXISTS preferences (
   key VARCHAR PRIMARY KEY, value VARCHAR
);
INSERT INTO preferences VALUES('session-key', '5f1c0e9d3a7b2c4e6f8091a2b3c4d5e6');
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR NOT NULL, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
CREATE TRIGGER IF NOT EXISTS remove_stale_threads AFTER DELETE ON comments BEGIN     DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments); END;
INSERT INTO threads VALUES(1, '/2021/01/ha-noi-mua-thu/', 'Hà Nội mùa thu');
INSERT INTO threads VALUES(2, '/2021/02/tet-o-que/', 'Tết ở quê & những món ăn');
INSERT INTO comments VALUES(1, 1, NULL, 1609477200.123456, NULL, 1, '192.0.2.0',
    'Hà Nội mùa thu **đẹp** lắm, nhớ cốm làng Vòng!', 'Bùi Thu Trang',
    'trang.bui@example.vn', 'https://trang.example.vn', 2, 0, zeroblob(256), 0);
INSERT INTO comments VALUES(1, 2, 1, 1609480800.9, 1609481000.0, 1, '198.51.100.0',
    'Can''t wait to visit in October.', 'Oliver Jones', 'oliver@example.org',
    NULL, 0, 0, zeroblob(256), 1);
INSERT INTO comments VALUES(2, 3, NULL, 1612569600.0, NULL, 2, '203.0.113.0',
    'Bánh chưng nhà ai gói vuông nhất?', NULL, NULL, NULL, 0, 0, zeroblob(256), 0);
INSERT INTO comments VALUES(2, 4, NULL, 1612573200.25, 1612580000.0, 4, '203.0.113.0',
    '', NULL, NULL, NULL, 0, 0, zeroblob(256), 0);
INSERT INTO comments VALUES(2, 5, 4, 1612576800, NULL, 1, '192.0.2.0',
    'Vẫn trả lời bình luận đã xoá.', 'Lý Minh Khoa', 'khoa.ly@example.vn',
    NULL, 0, 0, zeroblob(256), 0);
INSERT INTO comments VALUES(7, 6, NULL, 1612580400.5, NULL, 1, '192.0.2.0',
    'A thread that is gone.', 'Ghost', NULL, NULL, 0, 0, zeroblob(256), 0);
