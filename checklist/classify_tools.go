package checklist

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Rules for the tools a deployment runbook uses: docker and compose,
// PostgreSQL clients, alembic, git, file tools, curl, planner-tui itself.

var composeGlobalValue = []string{"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file",
	"--profile", "--ansi", "--log-level", "-H", "--host", "--parallel", "--progress", "--context", "-c"}

func (c *classifier) compose(ctx cctx, args []string) {
	project := c.t.Project
	if p, ok := flagValue(args, "-p", "--project-name"); ok && literal(p) {
		project = p
	}
	sub, rest := cutCommand(args, composeGlobalValue...)
	proj := firstNonEmpty(project, "in this directory")
	w := ctx.where
	if c.undecided(ctx, sub) {
		return
	}
	switch sub {
	case "down":
		d := fmt.Sprintf("the running containers of compose project %s (the stack goes offline)", proj)
		reason := "compose down stops and removes the stack's containers"
		if hasFlag(rest, "-v", "--volumes") {
			d += " and its named volumes (their data is lost)"
			reason = "compose down -v removes the stack's containers and volumes"
		}
		if v, ok := flagValue(rest, "--rmi"); ok {
			d += " and its images (" + v + ")"
		}
		c.add(Destructive, w+reason, firstNonEmpty(project, c.t.Host, "down"), d)
	case "stop", "kill":
		services := positional(rest, "-t", "--timeout", "-s", "--signal")
		if len(services) == 0 {
			c.add(Destructive, w+"compose "+sub+" without a service stops the whole stack", firstNonEmpty(project, c.t.Host, sub),
				fmt.Sprintf("the availability of every service of compose project %s (the stack goes offline)", proj))
			return
		}
		c.add(Change, w+"compose "+sub+" stops "+strings.Join(services, ", "), "", "")
	case "rm":
		d := fmt.Sprintf("the stopped containers of compose project %s", proj)
		if hasFlag(rest, "-v", "--volumes") || shortFlag(rest, 'v') {
			d += " and their anonymous volumes"
		}
		c.add(Destructive, w+"compose rm removes containers", firstNonEmpty(project, c.t.Host, "rm"), d)
	case "up":
		c.add(Change, w+"compose up (re)creates and starts containers", "", "")
	case "build", "pull", "push", "restart", "start", "create", "pause", "unpause", "scale", "cp", "wait", "watch", "attach":
		what := strings.Join(positional(rest, "--build-arg", "-t", "--timeout", "--progress", "--index", "-m", "--memory"), " ")
		if what == "" {
			what = "all services"
		}
		c.add(Change, w+"compose "+sub+" "+what, "", "")
	case "ps", "logs", "config", "images", "top", "version", "port", "ls", "events", "convert", "":
		c.safe(ctx, "compose "+firstNonEmpty(sub, "help"))
	case "exec", "run":
		valued := []string{"-e", "--env", "-u", "--user", "-w", "--workdir", "--index", "-v", "--volume",
			"-p", "--publish", "--name", "--entrypoint", "-l", "--label", "--env-file", "--cap-add", "--cap-drop", "--pull"}
		service, inner := cutCommand(rest, valued...)
		if sub == "run" {
			c.add(Change, w+"compose run starts a one-off container of "+service, "", "")
		}
		if len(inner) == 0 {
			if sub == "exec" {
				c.add(Change, w+"compose exec without a command", "", "")
			}
			return
		}
		in := ctx
		in.where = "in service " + service + ": "
		c.command(in, inner)
	default:
		c.add(Change, w+"unknown compose subcommand "+sub, "", "")
	}
}

func (c *classifier) docker(ctx cctx, args []string) {
	sub, rest := cutCommand(args, "-H", "--host", "--context", "-c", "--config", "-l", "--log-level")
	w := ctx.where
	if c.undecided(ctx, sub) {
		return
	}
	switch sub {
	case "compose":
		c.compose(ctx, rest)
	case "ps", "images", "inspect", "logs", "stats", "version", "info", "top", "port", "diff", "events", "history", "search", "":
		c.safe(ctx, "docker "+firstNonEmpty(sub, "help"))
	case "system", "image", "container", "volume", "network", "builder", "buildx":
		op := firstOf(positional(rest))
		if c.undecided(ctx, op) {
			return
		}
		switch op {
		case "prune":
			c.prune(ctx, sub, rest)
		case "ls", "list", "inspect", "history", "df", "info", "events", "logs", "top", "port", "stats", "diff", "du":
			c.safe(ctx, "docker "+sub+" "+op)
		case "rm", "remove", "delete":
			c.dockerRemove(ctx, sub, rest[1:])
		case "stop", "kill":
			c.dockerStop(ctx, rest[1:])
		default:
			c.add(Change, w+"docker "+sub+" "+op, "", "")
		}
	case "rm", "rmi":
		kind := map[string]string{"rm": "container", "rmi": "image"}[sub]
		c.dockerRemove(ctx, kind, rest)
	case "stop", "kill":
		c.dockerStop(ctx, rest)
	case "exec":
		container, inner := cutCommand(rest, "-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys")
		if len(inner) == 0 {
			c.add(Change, w+"docker exec without a command", "", "")
			return
		}
		in := ctx
		in.where = "in container " + container + ": "
		c.command(in, inner)
	default:
		c.add(Change, w+"docker "+sub+" "+strings.Join(positional(rest), " "), "", "")
	}
}

func (c *classifier) prune(ctx cctx, kind string, args []string) {
	all := hasFlag(args, "-a", "--all")
	where := " on this host"
	if c.t.Host != "" {
		where = " on host " + c.t.Host
	}
	var what string
	switch kind {
	case "system":
		images := "dangling images"
		if all {
			images = "all images not used by a container"
		}
		what = "all stopped containers, unused networks, " + images + " and the build cache"
		if hasFlag(args, "--volumes") {
			what += ", and all unused volumes (their data is lost)"
		}
	case "image":
		what = "dangling images"
		if all {
			what = "all images not used by a container"
		}
	case "container":
		what = "all stopped containers"
	case "volume":
		what = "unused volumes (their data is lost)"
	case "network":
		what = "unused networks"
	default:
		what = "the build cache"
	}
	c.add(Destructive, ctx.where+"docker "+kind+" prune deletes unused Docker data", firstNonEmpty(c.t.Host, "prune"), what+where)
}

func (c *classifier) dockerRemove(ctx cctx, kind string, args []string) {
	names := positional(args, "--filter")
	list := strings.Join(names, ", ")
	confirm := ""
	if len(names) == 1 && literal(names[0]) {
		confirm = names[0]
	}
	d := fmt.Sprintf("the %ss %s", kind, list)
	if kind == "volume" {
		d += " (their data is lost)"
	}
	c.add(Destructive, ctx.where+"docker removes "+kind+"s "+list, firstNonEmpty(confirm, c.t.Host, "remove"), d)
}

func (c *classifier) dockerStop(ctx cctx, args []string) {
	names := positional(args, "-t", "--time", "--timeout", "-s", "--signal")
	if len(names) == 1 && literal(names[0]) {
		c.add(Change, ctx.where+"docker stops container "+names[0], "", "")
		return
	}
	list := strings.Join(names, " ")
	c.add(Destructive, ctx.where+"docker stops several containers ("+list+")", firstNonEmpty(c.t.Host, "stop"),
		"the availability of the containers "+list)
}

var (
	sqlDestructive = regexp.MustCompile(`(?is)\b(DROP|TRUNCATE)\b|\bDELETE\s+FROM\b`)
	sqlSafeStart   = regexp.MustCompile(`(?i)^\s*(SELECT|WITH|SHOW|EXPLAIN|TABLE|VALUES)\b`)
	sqlWriteWord   = regexp.MustCompile(`(?i)\b(INSERT|UPDATE|ALTER|CREATE|GRANT|REVOKE|COPY|pg_terminate_backend|setval|nextval)\b`)
	psqlSafeMeta   = regexp.MustCompile(`^\s*\\(d[a-zA-Z+]*|l\+?|list|conninfo|du|dn|dt|dv|di|ds|df|encoding|timing|x)(\s|$)`)
)

// sql classifies SQL text run against a database.
func (c *classifier) sql(ctx cctx, text, db string) {
	short := strings.Join(strings.Fields(text), " ")
	if len(short) > 60 {
		short = short[:57] + "..."
	}
	if sqlDestructive.MatchString(text) {
		c.add(Destructive, ctx.where+"SQL that deletes data: "+short, firstNonEmpty(db, "drop"),
			fmt.Sprintf("data in database %s (%s)", firstNonEmpty(db, "(unnamed)"), short))
		return
	}
	for stmt := range strings.SplitSeq(text, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if psqlSafeMeta.MatchString(stmt) {
			continue
		}
		if !sqlSafeStart.MatchString(stmt) || sqlWriteWord.MatchString(stmt) {
			c.add(Change, ctx.where+"SQL that changes the database: "+short, "", "")
			return
		}
	}
	c.safe(ctx, "psql "+short)
}

func (c *classifier) database(args []string, pos []string) string {
	db, ok := flagValue(args, "-d", "--dbname")
	if !ok && len(pos) > 0 {
		db = pos[0]
	}
	if db = c.resolve(db); literal(db) && !strings.Contains(db, "://") {
		return db
	}
	return c.t.DBName
}

func (c *classifier) psql(ctx cctx, args []string) {
	valued := []string{"-c", "--command", "-f", "--file", "-d", "--dbname", "-U", "--username", "-h", "--host",
		"-p", "--port", "-v", "--variable", "--set", "-o", "--output", "-L", "--log-file", "-P", "--pset", "-F", "-R", "-T"}
	db := c.database(args, positional(args, valued...))
	if o, ok := flagValue(args, "-o", "--output"); ok {
		c.add(Change, ctx.where+"psql writes "+o, "", "")
	}
	files := flagValues(args, "-f", "--file")
	from := ""
	switch {
	case len(files) > 0:
		from = strings.Join(files, " ")
	case strings.HasPrefix(ctx.stdin, "<<"):
		c.sql(ctx, strings.TrimPrefix(strings.TrimPrefix(ctx.stdin, "<<"), "<"), db)
	case ctx.stdin != "":
		from = ctx.stdin
	case ctx.piped:
		from = "a pipe"
	}
	if from != "" {
		c.add(Destructive, ctx.where+"psql runs the SQL in "+from+" against database "+firstNonEmpty(db, "(default)")+" (a restore)",
			firstNonEmpty(db, "restore"),
			fmt.Sprintf("the current contents of database %s (replaced or changed by the SQL in %s)", firstNonEmpty(db, "(default)"), from))
		c.gate()
	}
	cmds := flagValues(args, "-c", "--command")
	for _, s := range cmds {
		c.sql(ctx, s, db)
	}
	if from == "" && len(cmds) == 0 && ctx.stdin == "" {
		c.add(Change, ctx.where+"opens an interactive psql session on "+firstNonEmpty(db, "the database"), "", "")
	}
}

func (c *classifier) pgRestore(ctx cctx, args []string) {
	if hasFlag(args, "-l", "--list") {
		c.safe(ctx, "pg_restore --list")
		return
	}
	if _, ok := flagValue(args, "-d", "--dbname"); ok {
		db := c.database(args, nil)
		c.add(Destructive, ctx.where+"pg_restore restores into database "+db, firstNonEmpty(db, "restore"),
			fmt.Sprintf("the current contents of database %s (replaced by the backup)", firstNonEmpty(db, "(default)")))
		c.gate()
		return
	}
	if f, ok := flagValue(args, "-f", "--file"); ok && f != "-" && f != "/dev/null" {
		c.add(Change, ctx.where+"pg_restore writes "+f, "", "")
		return
	}
	c.safe(ctx, "pg_restore to stdout")
}

func (c *classifier) alembic(ctx cctx, args []string) {
	sub, rest := cutCommand(args, "-c", "--config", "-n", "--name", "-x")
	preview := hasFlag(rest, "--sql")
	if c.undecided(ctx, sub) {
		return
	}
	switch sub {
	case "current", "heads", "history", "show", "branches", "check", "list_templates", "":
		c.safe(ctx, "alembic "+firstNonEmpty(sub, "help"))
	case "upgrade":
		if preview {
			c.safe(ctx, "alembic upgrade --sql (a preview: prints the SQL, runs nothing)")
			return
		}
		c.add(Change, ctx.where+"alembic upgrade applies migrations to "+firstNonEmpty(c.t.DBName, "the database"), "", "")
		c.gate()
	case "downgrade":
		if preview {
			c.safe(ctx, "alembic downgrade --sql (a preview)")
			return
		}
		rev := "an earlier revision"
		for _, a := range rest {
			if !strings.HasPrefix(a, "--") { // "-1" is a relative revision, not a flag
				rev = a
				break
			}
		}
		c.add(Destructive, ctx.where+"alembic downgrade reverts migrations (it may drop columns and tables)",
			firstNonEmpty(c.t.DBName, "downgrade"),
			fmt.Sprintf("the schema and data added to database %s by the migrations after %s", firstNonEmpty(c.t.DBName, "(default)"), rev))
		c.gate()
	default:
		c.add(Change, ctx.where+"alembic "+sub, "", "")
	}
}

func (c *classifier) git(ctx cctx, args []string) {
	sub, rest := cutCommand(args, "-C", "-c", "--git-dir", "--work-tree")
	w := ctx.where
	if c.undecided(ctx, sub) {
		return
	}
	repo := firstNonEmpty(c.t.Project, "git")
	switch sub {
	case "log", "status", "diff", "show", "rev-parse", "describe", "shortlog", "blame", "ls-files", "ls-remote",
		"rev-list", "cat-file", "grep", "reflog", "whatchanged", "version", "":
		c.safe(ctx, "git "+firstNonEmpty(sub, "help"))
	case "fetch":
		// fetch only updates remote-tracking refs; the deployed working tree
		// and the checked-out commit do not change.
		c.safe(ctx, "git fetch (updates remote-tracking refs only)")
	case "tag", "branch", "remote", "stash", "config", "worktree":
		list := len(positional(rest)) == 0 || hasFlag(rest, "-l", "--list", "show", "--get", "--get-all")
		if sub == "branch" && len(positional(rest)) == 0 {
			list = true // -a, -r, -v only choose what to list
		}
		if sub == "tag" && hasFlag(rest, "-a", "-s", "-m", "-f") {
			list = false // -a annotates a new tag
		}
		switch {
		case sub == "branch" && hasFlag(rest, "-D", "-d", "--delete"), sub == "tag" && hasFlag(rest, "-d", "--delete"),
			sub == "stash" && (hasFlag(rest, "drop", "clear")):
			c.add(Destructive, w+"git "+sub+" deletes "+strings.Join(positional(rest), " "), repo, "the git "+sub+" "+strings.Join(positional(rest), " "))
		case sub == "stash" && len(rest) > 0 && (rest[0] == "list" || rest[0] == "show"):
			c.safe(ctx, "git stash "+rest[0])
		case sub != "stash" && list:
			c.safe(ctx, "git "+sub+" (list)")
		default:
			c.add(Change, w+"git "+sub+" "+strings.Join(rest, " "), "", "")
		}
	case "reset":
		if hasFlag(rest, "--hard", "--merge", "--keep") {
			c.add(Destructive, w+"git reset --hard discards uncommitted changes", repo, "uncommitted changes in the working tree of "+repo)
			return
		}
		c.add(Change, w+"git reset", "", "")
	case "clean":
		if shortFlag(rest, 'n') || hasFlag(rest, "--dry-run") {
			c.safe(ctx, "git clean -n")
			return
		}
		c.add(Destructive, w+"git clean deletes untracked files", repo, "untracked files in the working tree of "+repo)
	case "checkout", "switch", "restore":
		if sub == "restore" || hasFlag(rest, "-f", "--force", "--discard-changes") || slices.Contains(rest, "--") || slices.Contains(rest, ".") {
			c.add(Destructive, w+"git "+sub+" overwrites local changes", repo, "uncommitted changes in the working tree of "+repo)
			return
		}
		c.add(Change, w+"git "+sub+" "+strings.Join(positional(rest), " ")+" changes the checked-out code", "", "")
	case "push":
		if hasFlag(rest, "-f", "--force", "--force-with-lease", "--delete", "--mirror") {
			c.add(Destructive, w+"git push --force rewrites the remote", repo, "commits on the remote branch")
			return
		}
		c.add(Change, w+"git push", "", "")
	default:
		c.add(Change, w+"git "+sub+" "+strings.Join(positional(rest), " "), "", "")
	}
}

func (c *classifier) rm(ctx cctx, name string, args []string) {
	paths := positional(args)
	// Named as the phrase names them: "$SCRATCH/old" is /srv/scratch/old.
	shown := make([]string, len(paths))
	for i, p := range paths {
		shown[i] = c.resolve(p)
	}
	list := strings.Join(shown, " ")
	recursive := name == "rm" && (shortFlag(args, 'r') || shortFlag(args, 'R') || hasFlag(args, "--recursive"))
	d := "the files " + list
	if recursive {
		d = "the directory trees " + list + " and everything under them"
	}
	c.add(Destructive, ctx.where+name+" deletes "+list+c.judgedWhenFilled(paths), firstNonEmpty(c.typeable(firstOf(paths)), name), d)
}

// judgedWhenFilled says, for a path not filled yet, that the phrase and
// what is deleted are settled when it is.
func (c *classifier) judgedWhenFilled(paths []string) string {
	for _, p := range paths {
		if u := c.open(p); strings.HasPrefix(u, "<") {
			return " (" + u + " decides what is deleted: judged when filled)"
		}
	}
	return ""
}

func (c *classifier) find(ctx cctx, args []string) {
	var dirs []string
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") || a == "(" || a == "!" {
			break
		}
		dirs = append(dirs, a)
	}
	expr := args[i:]
	shown := make([]string, len(dirs))
	for i, d := range dirs {
		shown[i] = c.resolve(d)
	}
	dir := firstNonEmpty(strings.Join(shown, " "), ".")
	var matching []string
	deletes := false
	var inner []finding
	for j := 0; j < len(expr); j++ {
		switch e := expr[j]; e {
		case "-delete":
			deletes = true
		case "-exec", "-execdir", "-ok", "-okdir":
			k := j + 1
			for k < len(expr) && expr[k] != ";" && expr[k] != "+" && expr[k] != `\;` {
				k++
			}
			sub := &classifier{t: c.t, funcs: c.funcs}
			sub.command(ctx, expr[j+1:k])
			inner = append(inner, sub.found...)
			j = k
		default:
			matching = append(matching, e)
		}
	}
	confirm := firstNonEmpty(c.typeable(firstOf(dirs)), "delete")
	d := fmt.Sprintf("files matching %s under %s", firstNonEmpty(strings.Join(matching, " "), "anything"), dir)
	if deletes {
		c.add(Destructive, ctx.where+"find -delete deletes files under "+dir+c.judgedWhenFilled(dirs), confirm, d)
	}
	for _, f := range inner {
		if f.risk == Destructive {
			f.reason, f.confirm, f.destroys = "find -exec deletes or changes files under "+dir+": "+f.reason, confirm, d
		}
		c.found = append(c.found, f)
	}
	if !deletes && len(inner) == 0 {
		c.safe(ctx, "find")
	}
}

func (c *classifier) systemctl(ctx cctx, name string, args []string) {
	pos := positional(args, "-H", "--host", "-M", "--machine", "-t", "--type", "-p", "--property", "-n", "--lines")
	verb, units := firstOf(pos), pos
	if len(pos) > 0 {
		units = pos[1:]
	}
	if name == "service" && len(pos) >= 2 {
		verb, units = pos[1], pos[:1]
	}
	unit := strings.Join(units, " ")
	if c.undecided(ctx, verb) {
		return
	}
	switch verb {
	case "stop", "disable", "mask", "kill", "isolate", "poweroff", "reboot", "halt":
		c.add(Destructive, ctx.where+name+" "+verb+" "+unit, firstNonEmpty(lastLiteral(units), c.t.Host, verb),
			"the availability of "+firstNonEmpty(unit, "the system")+" (it stops)")
	case "status", "show", "cat", "is-active", "is-enabled", "is-failed", "list-units", "list-unit-files",
		"list-timers", "list-sockets", "--version", "":
		c.safe(ctx, name+" "+verb)
	default:
		c.add(Change, ctx.where+name+" "+verb+" "+unit, "", "")
	}
}

var secretWord = regexp.MustCompile(`(?i)PASSWORD|SECRET|KEY|TOKEN`)

func (c *classifier) sed(ctx cctx, args []string) {
	inPlace := false
	for _, a := range args {
		if a == "--in-place" || strings.HasPrefix(a, "--in-place=") || (strings.HasPrefix(a, "-i") && !strings.HasPrefix(a, "--")) ||
			(len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Contains(a, "i") && !strings.ContainsAny(a, "ef")) {
			inPlace = true
		}
	}
	if !inPlace {
		c.safe(ctx, "sed")
		return
	}
	pos := positional(args, "-e", "--expression", "-f", "--file")
	for _, f := range pos {
		if isEnvFile(f) && secretWord.MatchString(strings.Join(args, " ")) {
			c.envRewrite(ctx.where, "sed -i rewrites secrets in "+f)
			return
		}
	}
	c.add(Change, ctx.where+"sed edits "+lastOf(pos)+" in place", "", "")
}

func (c *classifier) copy(ctx cctx, name string, args []string) {
	pos := positional(args, "-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group", "-e", "--exclude")
	dest := lastOf(pos)
	if t, ok := flagValue(args, "-t", "--target-directory"); ok {
		dest = t
	}
	switch {
	case isEnvFile(dest) && name != "ln":
		c.envRewrite(ctx.where, name+" replaces "+dest)
	case name == "rsync" && hasFlag(args, "--delete", "--delete-after", "--delete-before", "--delete-during", "--del"):
		c.add(Destructive, ctx.where+"rsync --delete deletes files in "+dest, firstNonEmpty(c.typeable(dest), "rsync"), "files under "+dest+" that are not in the source")
	default:
		c.add(Change, ctx.where+name+" "+strings.Join(pos, " "), "", "")
	}
}

// curlValued are curl's short options that take a value.
const curlValued = "XdoHuFTeAbcmwxrKEyYzCDUQPt"

func (c *classifier) curl(ctx cctx, args []string) {
	method, data, output := "", false, ""
	var url string
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--request":
			method = next()
		case slices.Contains([]string{"--data", "--data-raw", "--data-binary", "--data-urlencode", "--form", "--json", "--upload-file", "--form-string"}, a):
			data = true
			next()
		case strings.HasPrefix(a, "--data") || strings.HasPrefix(a, "--json"):
			data = true
		case a == "--output":
			output = next()
		case a == "--remote-name" || a == "--remote-name-all":
			output = "(remote name)"
		case strings.HasPrefix(a, "--"):
			if slices.Contains([]string{"--header", "--user", "--user-agent", "--cookie", "--cert", "--key", "--cacert", "--max-time",
				"--connect-timeout", "--retry", "--resolve", "--write-out", "--config", "--proxy", "--url", "--referer", "--oauth2-bearer"}, a) {
				v := next()
				if a == "--url" {
					url = v
				}
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
		cluster:
			for k := 1; k < len(a); k++ {
				ch := a[k]
				if ch == 'O' {
					output = "(remote name)"
				}
				if strings.IndexByte(curlValued, ch) < 0 {
					continue
				}
				v := a[k+1:]
				if v == "" {
					v = next()
				}
				switch ch {
				case 'X':
					method = v
				case 'd', 'F', 'T':
					data = true
				case 'o':
					output = v
				}
				break cluster
			}
		default:
			if url == "" {
				url = a
			}
		}
	}
	if output != "" && output != "-" && output != "/dev/null" {
		c.add(Change, ctx.where+"curl writes "+output, "", "")
	}
	m := strings.ToUpper(method)
	if data || (m != "" && m != "GET" && m != "HEAD" && m != "OPTIONS") {
		c.add(Change, ctx.where+"curl sends a "+firstNonEmpty(m, "POST")+" request to "+url+" (it may change remote state)", "", "")
		return
	}
	c.safe(ctx, "curl GET "+url)
}

func (c *classifier) redis(ctx cctx, args []string) {
	pos := positional(args, "-h", "-p", "-a", "-n", "-u", "--user", "--pass", "-s")
	if len(pos) == 0 {
		c.add(Change, ctx.where+"opens an interactive redis-cli session", "", "")
		return
	}
	if c.undecided(ctx, pos[0]) {
		return
	}
	switch strings.ToUpper(pos[0]) {
	case "FLUSHALL", "FLUSHDB", "SHUTDOWN", "DEL", "UNLINK":
		c.add(Destructive, ctx.where+"redis-cli "+strings.ToUpper(pos[0])+" deletes Redis data", firstNonEmpty(c.t.Project, c.t.Host, "redis"), "data in Redis ("+strings.Join(pos, " ")+")")
	case "PING", "INFO", "GET", "KEYS", "SCAN", "TTL", "DBSIZE", "TYPE", "EXISTS", "MONITOR", "LLEN", "HGETALL", "MGET", "STRLEN", "CLIENT":
		c.safe(ctx, "redis-cli "+strings.ToUpper(pos[0]))
	default:
		c.add(Change, ctx.where+"redis-cli "+strings.ToUpper(pos[0]), "", "")
	}
}

func (c *classifier) plannerTUI(ctx cctx, args []string) {
	sub, rest := cutCommand(args, "--runbook", "--state-dir", "--dir", "--set", "--confirm")
	if c.undecided(ctx, sub) {
		return
	}
	switch sub {
	case "op":
		op, _ := cutCommand(rest, "--runbook", "--state-dir", "--dir", "--set", "--confirm")
		if c.undecided(ctx, op) {
			return
		}
		switch op {
		case "status", "db-check", "verify-backup", "wait-healthy", "logs-scan", "env-check":
			c.safe(ctx, "planner-tui op "+op)
		case "backup":
			c.add(Change, ctx.where+"planner-tui op backup writes a backup file", "", "")
		case "restore":
			c.add(Destructive, ctx.where+"planner-tui op restore replaces the database with a backup",
				firstNonEmpty(c.t.DBName, "restore"),
				fmt.Sprintf("the current contents of database %s (replaced by the backup)", firstNonEmpty(c.t.DBName, "(default)")))
			c.gate()
		default:
			c.add(Change, ctx.where+"planner-tui op "+op, "", "")
		}
	case "list", "show", "status", "lint", "version", "report", "help", "":
		c.safe(ctx, "planner-tui "+sub)
	default:
		c.add(Change, ctx.where+"planner-tui "+sub, "", "")
	}
}

var pyWrite = regexp.MustCompile(`\.(write|commit|unlink|remove|rmtree|rename|replace|delete|execute|truncate)\(|open\([^)]*['"][wa]`)

func (c *classifier) python(ctx cctx, args []string) {
	if code, ok := flagValue(args, "-c"); ok {
		switch {
		case sqlDestructive.MatchString(code):
			c.sql(ctx, code, c.t.DBName)
		case pyWrite.MatchString(code):
			c.add(Change, ctx.where+"a Python one-liner that may write", "", "")
		default:
			c.safe(ctx, "python -c (a read-only one-liner)")
		}
		return
	}
	if m, ok := flagValue(args, "-m"); ok {
		i := slices.Index(args, m)
		if m == "alembic" {
			c.alembic(ctx, args[i+1:])
			return
		}
		c.add(Change, ctx.where+"python -m "+m, "", "")
		return
	}
	c.add(Change, ctx.where+"runs python "+strings.Join(positional(args), " "), "", "")
}
