package main

import (
	"encoding/binary"
	"testing"
)

// opMsgFor builds the start of an OP_MSG whose body document's first key is name.
func opMsgFor(name string, flags uint32) []byte {
	doc := append([]byte{0, 0, 0, 0, 0x10}, append([]byte(name), 0, 1, 0, 0, 0, 0)...)
	binary.LittleEndian.PutUint32(doc[0:4], uint32(len(doc)))
	msg := make([]byte, 16+4+1)
	binary.LittleEndian.PutUint32(msg[12:16], opMsg)
	binary.LittleEndian.PutUint32(msg[16:20], flags)
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	return msg
}

func TestHeartbeatsSkipTheQueueAndCommandsDoNot(t *testing.T) {
	for _, name := range []string{"hello", "isMaster", "ismaster", "ping"} {
		if !isHeartbeat(opMsgFor(name, 0)) {
			t.Errorf("%s should skip the queue", name)
		}
	}
	for _, name := range []string{"find", "update", "findAndModify", "insert", "helloWorld", "pingx"} {
		if isHeartbeat(opMsgFor(name, 0)) {
			t.Errorf("%s must wait in the queue", name)
		}
	}
	if isHeartbeat([]byte{1, 2, 3}) {
		t.Error("a truncated message is not a heartbeat")
	}
}

func TestMoreToComeReadsTheOpMsgFlag(t *testing.T) {
	if !moreToCome(opMsgFor("insert", flagMoreToCome)) || moreToCome(opMsgFor("insert", 0)) {
		t.Error("moreToCome does not follow flag bit 1")
	}
}
