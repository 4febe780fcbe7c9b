package audit

import (
	"os"
	"os/user"
	"strconv"
	"strings"
)

// Actor is who acts: the user the process runs as, who they were before
// sudo, where their SSH session comes from, and the host.
type Actor struct {
	User     string `json:"user"`
	SudoUser string `json:"sudo_user,omitempty"`
	SSHFrom  string `json:"ssh_from,omitempty"`
	Host     string `json:"host"`
}

// CurrentActor is the actor of this process, from os/user, SUDO_USER,
// SSH_CONNECTION (its first field, the client address) and the host name.
func CurrentActor() Actor {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil {
		host = ""
	}
	return actorFrom(os.Getenv, name, os.Getuid(), host)
}

// actorFrom builds an Actor from an environment, a user name (may be ""
// when the uid has no passwd entry, as in many containers) and a host.
func actorFrom(getenv func(string) string, userName string, uid int, host string) Actor {
	a := Actor{User: userName, Host: host}
	if a.User == "" {
		a.User = getenv("USER")
	}
	if a.User == "" {
		a.User = "uid " + strconv.Itoa(uid)
	}
	if a.Host == "" {
		a.Host = "unknown-host"
	}
	a.SudoUser = getenv("SUDO_USER")
	conn := getenv("SSH_CONNECTION")
	if conn == "" {
		conn = getenv("SSH_CLIENT") // older sshd sets only this
	}
	if f := strings.Fields(conn); len(f) > 0 {
		a.SSHFrom = f[0]
	}
	return a
}

// String is "alice@prod1", with " via sudo from bob" and " from 10.0.0.5"
// when they apply.
func (a Actor) String() string {
	s := a.User + "@" + a.Host
	if a.SudoUser != "" {
		s += " via sudo from " + a.SudoUser
	}
	if a.SSHFrom != "" {
		s += " from " + a.SSHFrom
	}
	return s
}
