#!/bin/sh
# Issue 14's "check as a new user": three projects typed into the demo the way a miner on a phone would.
# The messages are written by the engineer, not real users'. Prints the transcripts (bench/form_check.md).
set -e
PY=${PYTHON:-.venv/bin/python}
DB=${1:-/tmp/form_check.sqlite3}
rm -f "$DB"
say() { openid=$1; shift; $PY -m bot demo --database "sqlite:///$DB" --openid "$openid" "$@" 2>&1 | sed -n '/^> /,$p'; }
echo "## 1. One long breath (通风队 赵刚)"
say o_zhao --say "一矿通风队 赵刚" \
  --say "我跟孙亮两个人弄了个风门闭锁的东西，原来两道风门经常被同时打开，风流短路，我们加了个电磁闭锁，一道开着另一道就打不开，一年下来能省个五六万吧" \
  --say "算小革新吧" --say "确认"
echo "## 2. In pieces, with a co-worker (机电队 刘军, co-worker 陈涛)"
say o_liu --say "一矿机电队 刘军" --say "我要申报" --say "名字叫水泵自动启停" --say "原来中央水泵房的泵要人盯着" \
  --say "水位高了才去开，有时候来不及" --say "我和陈涛加了个液位开关，水位到了自动开泵，不用人盯了" --say "3" \
  --say "陈涛算了一下，一年能省电费和人工两万左右" --say "效益写错了，是2.5万" --say "确认"
echo "## 3. A suggestion with no trigger word (选煤厂 孙丽)"
say o_sun --say "二矿选煤厂 孙丽" \
  --say "宿舍楼热水只供应到晚上十点，夜班工人升井以后洗不上热水澡，最好能延长到凌晨两点" \
  --say "对" --say "没有" --say "就我一个" --say "确认" --say "查询 0003"
