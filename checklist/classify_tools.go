package checklist

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Rules for the tools a deployment runbook uses: docker and compose,
// PostgreSQL clients, alembic, git, file tools, curl, planner-tui itself.

var composeGlobalValue = []string{"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file",
	"--profile", "--ansi", "--log-level", "-H", "--host", "--parallel", "--progress", "--context", "-c"}

// unknownProject is the phrase of a compose command whose project is not
// known: typing it says so.
const unknownProject = "unknown-project"

// composeProject is the project a compose command (its global options
// given) acts on, found as compose finds it: -p, then COMPOSE_PROJECT_NAME
// (inline, or the runbook's, which the runner exports), then the base name
// of --project-directory, of the first -f's directory, of the working
// directory. unknown says why it cannot be known here ("" when it is).
func (c *classifier) composeProject(ctx cctx, global []string) (project, unknown string) {
	if p, ok := flagValue(global, "-p", "--project-name"); ok {
		if p = c.resolve(p); literal(p) {
			return p, ""
		}
		return "", "its -p " + p + " is not known before it runs"
	}
	if p, ok := ctx.env["COMPOSE_PROJECT_NAME"]; ok {
		if literal(p) {
			return p, ""
		}
		return "", "COMPOSE_PROJECT_NAME=" + p + " is not known before it runs"
	}
	if c.projectUnknown != "" {
		return "", c.projectUnknown
	}
	if strings.TrimSpace(c.t.Vars["COMPOSE_PROJECT_NAME"]) != "" {
		return c.t.Project, ""
	}
	dirName := func(what, d string) (string, string) {
		d = c.resolve(d)
		if !literal(d) {
			return "", what + " " + d + " is not known before it runs"
		}
		if !path.IsAbs(d) {
			if c.cwdUnknown != "" {
				return "", c.cwdUnknown
			}
			base := firstNonEmpty(c.cwd, c.t.Dir)
			if base == "" {
				return "", what + " " + d + " is relative to a directory not known here"
			}
			d = path.Join(base, d)
		}
		if n := ComposeProjectName(d); n != "" {
			return n, ""
		}
		return "", what + " " + d + " gives no project name"
	}
	if d, ok := flagValue(global, "--project-directory"); ok {
		return dirName("--project-directory", d)
	}
	if f, ok := flagValue(global, "-f", "--file"); ok && f != "-" {
		if r := c.resolve(f); !literal(r) || path.IsAbs(r) || c.cwd != "" || c.cwdUnknown != "" {
			return dirName("the directory of -f", path.Dir(f))
		}
	}
	if c.cwdUnknown != "" {
		return "", c.cwdUnknown
	}
	if c.cwd != "" {
		return "", "the script changed directory to " + c.cwd + ", and compose names the project after that directory (or its .env)"
	}
	return c.t.Project, ""
}

// cd follows the script's working directory, for the compose project.
func (c *classifier) cd(ctx cctx, args []string) {
	if ctx.where != "" {
		return // in a container: not the host's directory
	}
	pos := positional(args)
	if len(pos) == 0 || pos[0] == "-" || strings.HasPrefix(pos[0], "~") {
		c.cwd, c.cwdUnknown = "", "the script changed to a directory not known here (cd "+strings.Join(pos, " ")+")"
		return
	}
	d := c.resolve(pos[0])
	if !literal(d) {
		c.cwd, c.cwdUnknown = "", "the script changed to "+d+", a directory not known before it runs"
		return
	}
	if !path.IsAbs(d) {
		if c.cwdUnknown != "" {
			return
		}
		base := firstNonEmpty(c.cwd, c.t.Dir)
		if base == "" {
			c.cwdUnknown = "the script changed to " + d + ", relative to a directory not known here"
			return
		}
		d = path.Join(base, d)
	}
	d = path.Clean(d)
	c.cwdUnknown = ""
	if c.t.Dir != "" && d == path.Clean(c.t.Dir) {
		c.cwd = ""
		return
	}
	c.cwd = d
}

func (c *classifier) compose(ctx cctx, args []string) {
	sub, rest := cutCommand(args, composeGlobalValue...)
	global := args
	if sub != "" {
		global = args[:len(args)-len(rest)-1]
	}
	project, unknown := c.composeProject(ctx, global)
	proj := firstNonEmpty(project, "in this directory")
	if unknown != "" {
		proj = "not known here (" + unknown + ")"
		project = unknownProject
	}
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
		if w == "" {
			services := positional(rest, "-t", "--timeout", "--scale", "--exit-code-from", "--attach", "--no-attach", "--wait-timeout", "--pull")
			c.startsApp = c.startsApp || len(services) == 0 || slices.Contains(services, firstNonEmpty(c.t.AppService, "app"))
		}
		if hasFlag(rest, "-V", "--renew-anon-volumes") {
			c.add(Destructive, w+"compose up -V recreates the anonymous volumes of the containers", firstNonEmpty(project, c.t.Host, "up"),
				fmt.Sprintf("the data in the anonymous volumes of compose project %s (they are recreated empty)", proj))
			return
		}
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
	sqlPassword    = regexp.MustCompile(`(?is)\bALTER\s+(USER|ROLE)\b.*\bPASSWORD\b`)
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
	if u := c.open(text); u != "" && !strings.HasPrefix(u, "<") {
		// "for t in a b; do psql -c "... $t"": judged with each value.
		name := strings.Trim(u, "${}")
		if l, ok := c.locals[name]; ok && len(l.loop) > 0 && (u == "$"+name || u == "${"+name+"}") {
			for _, v := range l.loop {
				c.sql(ctx, strings.ReplaceAll(text, u, v), db)
			}
			return
		}
		c.add(Destructive, ctx.where+"SQL from "+u+", which is not known before it runs", firstNonEmpty(db, c.t.Project, c.t.Host, "run-unchecked"),
			fmt.Sprintf("unknown: data in database %s (the SQL comes from %s)", firstNonEmpty(db, "(default)"), u))
		return
	}
	if sqlPassword.MatchString(text) {
		c.add(Destructive, ctx.where+"SQL that sets a role's password (secret rotation): "+short, firstNonEmpty(db, "password"),
			fmt.Sprintf("the current password of a role of database %s (whatever logs in with it is locked out)", firstNonEmpty(db, "(default)")))
		return
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
		shown[i] = cleanPath(c.resolve(p))
	}
	list := strings.Join(shown, " ")
	recursive := name == "rm" && (shortFlag(args, 'r') || shortFlag(args, 'R') || hasFlag(args, "--recursive"))
	d := "the files " + list
	if recursive {
		d = "the directory trees " + list + " and everything under them"
	}
	phrase := c.typeable(firstOf(paths))
	if phrase == "" {
		// Named by what it is not: the operator types that the target is unknown.
		phrase = unknownTarget
		d = "unknown: " + d + " (" + firstNonEmpty(list, "no path given") + " is not known before it runs)"
	}
	c.add(Destructive, ctx.where+name+" deletes "+list+c.judgedWhenFilled(paths), phrase, d)
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
		shown[i] = cleanPath(c.resolve(d))
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
			sub := &classifier{t: c.t, funcs: c.funcs, bodies: c.bodies, ph: c.ph, locals: c.locals, top: c.top, pos: c.pos,
				cwd: c.cwd, cwdUnknown: c.cwdUnknown, projectUnknown: c.projectUnknown}
			sub.command(ctx, expr[j+1:k])
			inner = append(inner, sub.found...)
			j = k
		default:
			matching = append(matching, e)
		}
	}
	confirm := c.typeable(firstOf(dirs))
	if confirm == "" && len(dirs) > 0 && strings.ContainsAny(c.resolve(dirs[0]), "$`") {
		confirm = unknownTarget
	}
	confirm = firstNonEmpty(confirm, "delete")
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
		switch {
		case op == "verify-backup" && slices.ContainsFunc(rest, func(a string) bool { return a == "--restore-test" || strings.HasPrefix(a, "--restore-test=") }):
			// The drill creates and drops a scratch database on the live
			// server and needs room for a second copy of the data.
			c.add(Change, ctx.where+"planner-tui op verify-backup --restore-test creates and drops a scratch database on the server", "", "")
			return
		}
		switch op {
		case "status", "db-check", "verify-backup", "wait-healthy", "logs-scan", "env-check", "health-gate":
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

var (
	// pyDestroys in a one-liner runs commands or deletes files or data.
	pyDestroys = regexp.MustCompile(`\bos\.(system|popen|remove|unlink|rmdir|removedirs|kill|exec\w*|spawn\w*)\b|\bsubprocess\b|\bshutil\.rmtree\b|\bdrop_all\b|\bDROP\s|\bTRUNCATE\b|\bDELETE\s+FROM\b`)
	pyString   = regexp.MustCompile(`'[^']*'|"[^"]*"`)
	pyCall     = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*)\s*\(`)
	// pyReads are the calls a one-liner may make and still clearly only
	// read: printing, converting, looking up settings, opening a session.
	pyReads = map[string]bool{"print": true, "len": true, "str": true, "repr": true, "int": true, "float": true,
		"bool": true, "sorted": true, "list": true, "dict": true, "tuple": true, "min": true, "max": true,
		"sum": true, "any": true, "all": true, "getattr": true, "hasattr": true, "isinstance": true, "type": true,
		"format": true, "strip": true, "split": true, "join": true, "keys": true, "items": true, "values": true,
		"get": true, "getenv": true, "dumps": true, "loads": true, "upper": true, "lower": true, "exists": true,
		"isfile": true, "isdir": true, "SessionLocal": true, "python_version": true, "version": true}
)

// python judges a one-liner by what it calls: commands, deletions and
// destructive SQL are destructive; writes and calls not known to only read
// are a change; only a one-liner that clearly reads is safe.
func (c *classifier) python(ctx cctx, args []string) {
	if code, ok := flagValue(args, "-c"); ok {
		unquoted := pyString.ReplaceAllString(code, "''")
		var unknownCalls []string
		for _, m := range pyCall.FindAllStringSubmatch(unquoted, -1) {
			name := m[1][strings.LastIndexByte(m[1], '.')+1:]
			if !pyReads[name] && !slices.Contains(unknownCalls, m[1]) {
				unknownCalls = append(unknownCalls, m[1])
			}
		}
		switch {
		case pyDestroys.MatchString(code) && !sqlDestructive.MatchString(code):
			m := pyDestroys.FindString(code)
			c.add(Destructive, ctx.where+"a Python one-liner that runs commands or deletes ("+m+")",
				firstNonEmpty(c.t.Project, c.t.Host, "run-unchecked"), "unknown: what the Python one-liner's "+m+" runs or deletes")
		case sqlDestructive.MatchString(code):
			c.sql(ctx, code, c.t.DBName)
		case pyWrite.MatchString(code):
			c.add(Change, ctx.where+"a Python one-liner that may write", "", "")
		case len(unknownCalls) > 0:
			c.add(Change, ctx.where+"a Python one-liner that calls "+strings.Join(unknownCalls, ", ")+" (not known to only read)", "", "")
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

// unknownTarget is the phrase of a deletion whose target is not known
// before it runs: typing it says so.
const unknownTarget = "unknown-target"

// xargs runs cmd with arguments read from its input appended (or put in
// place of -I's string): they decide what a tool like compose, rm, git or
// psql does, and are not known here. Commands that only read stay as they
// are.
func (c *classifier) xargs(ctx cctx, cmd string, rest []string) {
	name := path.Base(cmd)
	if safeCommands[name] && name != "env" && name != "watch" {
		c.command(ctx, prepend(cmd, rest))
		return
	}
	known := strings.TrimSpace(cmd + " " + strings.Join(rest, " "))
	reason := ctx.where + "xargs passes arguments read from its input to " + known + ": they decide what it does and are not known here"
	compose := name == "docker-compose" || name == "podman-compose" || name == "docker" && firstOf(positional(rest, "-H", "--host", "--context", "-c")) == "compose"
	switch {
	case compose:
		args := rest
		if name == "docker" {
			_, args = cutCommand(rest, "-H", "--host", "--context", "-c")
		}
		sub, after := cutCommand(args, composeGlobalValue...)
		global := args
		if sub != "" {
			global = args[:len(args)-len(after)-1]
		}
		project, unknown := c.composeProject(ctx, global)
		proj := "compose project " + firstNonEmpty(project, "in this directory")
		if unknown != "" {
			proj, project = "a compose project not known here ("+unknown+")", unknownProject
		}
		c.add(Destructive, reason, firstNonEmpty(project, c.t.Host, "run-unchecked"),
			"unknown: what "+known+" does to "+proj+" with the arguments read from its input (down, rm and kill are possible)")
	case name == "rm" || name == "rmdir" || name == "unlink" || name == "shred":
		c.add(Destructive, reason, unknownTarget, "unknown: the files named on the input of xargs ("+name+" deletes them)")
	case name == "psql" || name == "dropdb" || name == "pg_restore":
		db := c.database(rest, nil)
		c.add(Destructive, reason, firstNonEmpty(db, c.t.Project, c.t.Host, "run-unchecked"),
			"unknown: data in database "+firstNonEmpty(db, "(default)")+" ("+known+" is given arguments read from its input)")
	default:
		c.add(Destructive, reason, firstNonEmpty(c.t.Project, c.t.Host, "run-unchecked"),
			"unknown: what "+known+" does with the arguments read from its input")
	}
}

// sshValued are ssh's options that take a value.
var sshValued = []string{"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w", "-B"}

// ssh judges the remote command as a script: safe when it only reads,
// else destructive, since what it acts on there (its variables, its
// compose project) is not known here.
func (c *classifier) ssh(ctx cctx, args []string) {
	host, rest := cutCommand(args, sshValued...)
	if len(rest) == 0 {
		c.add(Change, ctx.where+"ssh opens a session on "+firstNonEmpty(host, "a remote host"), "", "")
		return
	}
	remote := strings.Join(rest, " ")
	cl := Classify(remote, Target{})
	if cl.Risk == Safe {
		c.safe(ctx, "on "+host+" over ssh: "+strings.TrimPrefix(cl.Reason, "reads only: "))
		return
	}
	what := "unknown: what it changes on " + host
	if cl.Destroys != "" {
		what = "unknown: on " + host + ", " + cl.Destroys
	}
	phrase := c.resolve(host)
	if i := strings.LastIndexByte(phrase, '@'); i >= 0 {
		phrase = phrase[i+1:]
	}
	if !literal(phrase) {
		phrase = ""
	}
	c.add(Destructive, ctx.where+"ssh runs a remote command on "+host+" ("+cl.Reason+"); remote effects are not judged here",
		firstNonEmpty(phrase, c.t.Host, "run-unchecked"), what)
}

// perl -i edits files in place: on .env it is judged as sed -i is.
func (c *classifier) perl(ctx cctx, args []string) {
	inPlace := false
	var code []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' {
			// -pi, -i.bak, -pie 'code': a cluster; -e and -E take the code.
			if k := strings.IndexAny(a, "eE"); k > 0 {
				inPlace = inPlace || strings.Contains(a[:k], "i")
				if v := a[k+1:]; v != "" {
					code = append(code, v)
				} else if i+1 < len(args) {
					i++
					code = append(code, args[i])
				}
				continue
			}
			if strings.Contains(a, "i") {
				inPlace = true
			}
		}
	}
	files := positional(args, "-e", "-E", "-I", "-M", "-m")
	if len(code) == 0 && len(files) > 0 {
		code, files = files[:1], files[1:]
	}
	if !inPlace {
		c.add(Change, ctx.where+"runs perl (not checked)", "", "")
		return
	}
	c.inPlaceEdit(ctx, "perl -i", files, strings.Join(code, " "))
}

// inPlaceEdit is sed -i, perl -i and the like on files: on .env, an
// edit of a secret is a secret rotation.
func (c *classifier) inPlaceEdit(ctx cctx, what string, files []string, program string) {
	for _, f := range files {
		if isEnvFile(f) && secretWord.MatchString(program) {
			c.envRewrite(ctx.where, what+" rewrites secrets in "+f)
			return
		}
	}
	c.add(Change, ctx.where+what+" edits "+strings.Join(files, " ")+" in place", "", "")
}
