package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// FerretDB v1 runs an update as "query, compute, write" in separate steps, so two concurrent
// $inc or findAndModify commands on one document can lose an update (measured: 40 concurrent
// $inc of 1 ended at 12). MongoDB makes every single-document write atomic, and our money and
// job-claim code relies on exactly that. This proxy restores it for the embedded database:
// it forwards whole wire-protocol messages and lets only one command at a time, across all
// client connections, reach FerretDB. It only reads the standard 16-byte message header
// (length, requestID, responseTo, opCode) and the OP_MSG flag bits; it never parses documents.

const (
	opMsg            = 2013
	flagMoreToCome   = 1 << 1
	maxMessageLength = 48 * 1024 * 1024
)

type serialProxy struct {
	backend string
	mu      sync.Mutex
}

func (p *serialProxy) serve(l net.Listener) error {
	for {
		client, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go p.handle(client)
	}
}

func (p *serialProxy) handle(client net.Conn) {
	defer client.Close()
	backend, err := net.Dial("tcp", p.backend)
	if err != nil {
		return
	}
	defer backend.Close()
	for {
		req, err := readMessage(client)
		if err != nil {
			return
		}
		resps, err := p.roundTrip(backend, req)
		if err != nil {
			return
		}
		for _, r := range resps {
			if _, err := client.Write(r); err != nil {
				return
			}
		}
	}
}

// roundTrip sends one request and reads every reply to it while holding the global lock.
// Handshakes and pings skip the queue: they touch no data, and a driver whose heartbeat waits behind a
// backlog of commands marks the server unreachable and fails every request.
func (p *serialProxy) roundTrip(backend net.Conn, req []byte) ([][]byte, error) {
	if !isHeartbeat(req) {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	if _, err := backend.Write(req); err != nil {
		return nil, err
	}
	if moreToCome(req) {
		return nil, nil // fire-and-forget (w:0) messages get no reply
	}
	var out [][]byte
	for {
		resp, err := readMessage(backend)
		if err != nil {
			return nil, err
		}
		out = append(out, resp)
		if !moreToCome(resp) {
			return out, nil
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [16]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if length < 16 || length > maxMessageLength {
		return nil, fmt.Errorf("bad message length %d", length)
	}
	msg := make([]byte, length)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[16:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// isHeartbeat tells whether an OP_MSG's command (the first key of its body document) is a handshake
// or a ping. Layout: header(16) flagBits(4) sectionKind(1) documentLength(4) elementType(1) name\x00.
func isHeartbeat(msg []byte) bool {
	const nameAt = 16 + 4 + 1 + 4 + 1
	if len(msg) <= nameAt || binary.LittleEndian.Uint32(msg[12:16]) != opMsg || msg[20] != 0 {
		return false
	}
	end := nameAt
	for end < len(msg) && end < nameAt+16 && msg[end] != 0 {
		end++
	}
	switch string(msg[nameAt:end]) {
	case "hello", "isMaster", "ismaster", "ping":
		return true
	}
	return false
}

func moreToCome(msg []byte) bool {
	if len(msg) < 20 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false
	}
	return binary.LittleEndian.Uint32(msg[16:20])&flagMoreToCome != 0
}
