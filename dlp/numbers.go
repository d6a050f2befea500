package dlp

import "bytes"

// Card and Social Security numbers are digits, and most digits in files
// are neither: decimals, ids, coordinates, tables of measurements. A
// candidate must therefore stand alone (not inside a longer run of digits
// and separators, not after a decimal point or a digit and a dot, not a
// number among many like it), be of an issuer's range and length, and,
// when it is a bare run, earn its confidence from a keyword nearby or the
// groups people print it in.

// numberRun is a run of digits in groups: digits, and single separators
// of one kind (space, dash or dot) between digits.
type numberRun struct {
	digits [19]byte
	total  int    // digits in the run (may exceed 19)
	group  [8]int // digits per group, the first eight
	ng     int    // groups (may exceed 8)
	sep    byte   // 0: one group
}

// groups are the digits per group; nil when there are more than eight.
func (r *numberRun) groups() []int {
	if r.ng > len(r.group) {
		return nil
	}
	return r.group[:r.ng]
}

func (r *numberRun) endGroup(g int) {
	if r.ng < len(r.group) {
		r.group[r.ng] = g
	}
	r.ng++
}

func readNumberRun(b []byte, i int, r *numberRun) int {
	j, g := i, 0
	for j < len(b) {
		c := b[j]
		if isDigit(c) {
			if r.total < len(r.digits) {
				r.digits[r.total] = c
			}
			r.total++
			g++
			j++
			continue
		}
		if (c == ' ' || c == '-' || c == '.') && j+1 < len(b) && isDigit(b[j+1]) {
			if r.sep == 0 {
				r.sep = c
			} else if r.sep != c {
				break
			}
			r.endGroup(g)
			g = 0
			j++
			continue
		}
		break
	}
	r.endGroup(g)
	return j
}

// number reads the run of digits at i, counts it when it is a card or an
// SSN, and returns its end: its inner digits are never read again.
func number(b []byte, i int, res Result, st *scanState) int {
	var r numberRun
	j := readNumberRun(b, i, &r)
	if r.ng > len(r.group) || !standsAlone(b, i, j) {
		return j
	}
	g := r.groups()
	switch {
	case r.sep != 0 && len(g) == 3 && g[0] == 3 && g[1] == 2 && g[2] == 4,
		r.sep == 0 && r.total == 9:
		ssn(b, i, j, &r, res, st)
	case r.total >= 12 && r.total <= 19:
		card(b, i, j, &r, res, st)
	}
	return j
}

// standsAlone: the run is not the continuation of another number (after
// "3158.", "12 " or "7-", or "1," when it is a group of thousands) and is
// not continued by one. A comma between a number and a longer run is a
// field separator (C-1,4111…), not a thousands separator.
func standsAlone(b []byte, i, j int) bool {
	if i >= 2 && isDigit(b[i-2]) {
		switch b[i-1] {
		case '.', ' ', '-', '/', ':':
			return false
		case ',':
			if run(b, i, isDigit)-i == 3 {
				return false
			}
		}
	}
	if j < len(b) {
		switch c := b[j]; {
		case isWordByte(c):
			return false // 4111111111111111abc
		case c == '.' || c == ' ' || c == '-' || c == '/' || c == ':':
			if j+1 < len(b) && isDigit(b[j+1]) {
				return false
			}
		case c == ',':
			if j+1 < len(b) && run(b, j+1, isDigit)-(j+1) == 3 {
				return false
			}
		}
	}
	return true
}

// cardWords lift a card number's confidence when they are near it. A
// trailing "$" asks for the word to end there too.
var cardWords = []string{"card", "visa", "mastercard", "master card", "amex", "american express", "discover", "diners", "jcb$",
	"unionpay", "union pay", "maestro", "credit", "debit", "cc#", "cc no", "ccnum", "cc_num", "cc-num", "cc number", "pan$",
	"payment", "kreditkarte", "karte", "tarjeta", "carte", "carta", "cartão", "mir$", "rupay", "uatp", "verve", "troy$", "elo$", "hipercard"}

var ssnWords = []string{"ssn", "social security", "social_security", "social-security", "socialsecurity", "soc sec", "soc. sec",
	"ss#", "ss #", "ss no", "ss_no", "ss number", "ss_number", "sozialversicherung", "tax id", "tax_id", "taxid", "taxpayer id"}

// nearWords reports whether a word of words begins (after no letter)
// within back bytes before i or ahead bytes after j.
func nearWords(b []byte, i, j, back, ahead int, words []string) bool {
	return hasWordFold(b[max(0, i-back):i], words) || hasWordFold(b[j:min(len(b), j+ahead)], words)
}

func hasWordFold(window []byte, words []string) bool {
	var buf [160]byte
	w := buf[:0]
	for _, c := range window[:min(len(window), len(buf))] {
		w = append(w, lower(c))
	}
	for _, word := range words {
		whole := word[len(word)-1] == '$'
		if whole {
			word = word[:len(word)-1]
		}
		for from := 0; from < len(w); {
			k := bytes.Index(w[from:], []byte(word))
			if k < 0 {
				break
			}
			at := from + k
			from = at + 1
			if at > 0 && isLetter(w[at-1]) {
				continue
			}
			if e := at + len(word); whole && e < len(w) && isLetter(w[e]) {
				continue
			}
			return true
		}
	}
	return false
}

// numericNeighbours reports whether the run at [i, j) sits among numbers
// like it, within window bytes: another long number (10 digits or more),
// or need numbers of minDigits digits or more (decimals counted whole): a
// JSON array of ids or floats, a table of measurements.
func numericNeighbours(b []byte, i, j, window, minDigits, need int) bool {
	count := 0
	scan := func(from, to int) bool {
		b := b[:to] // the window only: not into the candidate
		for k := from; k < to; {
			if !isDigit(b[k]) || k > 0 && isWordByte(b[k-1]) {
				k++
				continue
			}
			e := run(b, k, isDigit)
			if e < len(b) && isLetter(b[e]) {
				k = e // part of an alphanumeric token: GB82WEST1234…
				continue
			}
			n := e - k
			if e+1 < len(b) && (b[e] == '.' || b[e] == ',') && isDigit(b[e+1]) {
				e2 := run(b, e+1, isDigit)
				n += e2 - e - 1
				e = e2
			}
			if n >= 10 {
				return true
			}
			if n >= minDigits {
				count++
			}
			k = e
		}
		return false
	}
	if scan(max(0, i-window), i) || scan(j, min(len(b), j+window)) {
		return true
	}
	return count >= need
}

// card accepts a run of 12 to 19 digits, plain or in the groups cards are
// printed in, passing Luhn and of an issuer's range and length.
func card(b []byte, i, j int, r *numberRun, res Result, st *scanState) {
	num := r.digits[:r.total]
	if r.sep != 0 && !cardGrouping(r.groups()) {
		return
	}
	if !luhn(num) || periodic(num) {
		return
	}
	scheme, ok := issuer(num)
	if !ok {
		return
	}
	if i >= 2 && b[i-1] == '-' && isLetter(b[i-2]) || i >= 1 && (b[i-1] == '/' || b[i-1] == '#' || b[i-1] == '@') {
		return // org-4747…, a path, an anchor, a handle: an identifier
	}
	keyword := nearWords(b, i, j, 48, 16, cardWords) || hasWordFold(st.firstLine(), cardWords) && bytes.ContainsAny(st.firstLine(), ",;\t|")
	grouped := r.sep != 0
	table := !grouped && numericNeighbours(b, i, j, 64, 6, 4)
	var conf Confidence
	switch {
	case keyword && !table:
		conf = High
	case keyword:
		conf = Medium
	case grouped:
		conf = Medium
	case table || scheme == "uatp":
		return // UATP's range is every 15-digit number beginning with 1
	case i > 0 && bytes.IndexByte([]byte("&?=+-:%$"), b[i-1]) >= 0:
		return // an id in a query, a key:value, a signed number
	default:
		conf = Low
	}
	res.add(PaymentCard, redactCard(num), conf)
}

// cardGrouping accepts the groupings cards are printed in: fours (with a
// shorter last group), Amex's 4-6-5, Diners' 4-6-4 and UATP's 4-5-6.
func cardGrouping(groups []int) bool {
	if len(groups) == 3 && groups[0] == 4 && (groups[1] == 6 && (groups[2] == 5 || groups[2] == 4) || groups[1] == 5 && groups[2] == 6) {
		return true
	}
	if len(groups) < 3 {
		return false
	}
	for k, g := range groups {
		if g != 4 && !(k == len(groups)-1 && g >= 1 && g <= 4) {
			return false
		}
	}
	return true
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for k := len(d) - 1; k >= 0; k-- {
		v := int(d[k] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// periodic: one digit or a pair repeated (0000…, 4747…), test patterns
// rather than numbers.
func periodic(d []byte) bool {
	for k := 2; k < len(d); k++ {
		if d[k] != d[k-2] {
			return false
		}
	}
	return true
}

func allSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// issuer checks the number against the issuer ranges (IIN) and lengths of
// the card schemes, and names the scheme.
func issuer(d []byte) (string, bool) {
	n := len(d)
	prefix := func(k int) int {
		v := 0
		for _, c := range d[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p1, p2, p3, p4, p6 := prefix(1), prefix(2), prefix(3), prefix(4), prefix(6)
	in := func(lo, hi int) bool { return n >= lo && n <= hi }
	switch {
	case p1 == 4: // Visa (Electron, and elo's 4011/4312/4389 ranges)
		return "visa", n == 13 || n == 16 || n == 19
	case p4 >= 2200 && p4 <= 2204: // Mir
		return "mir", in(16, 19)
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return "mastercard", n == 16
	case p2 == 34 || p2 == 37: // American Express
		return "amex", n == 15
	case p1 == 1: // UATP
		return "uatp", n == 15
	case p4 >= 3528 && p4 <= 3589: // JCB
		return "jcb", in(16, 19)
	case p3 >= 300 && p3 <= 305 || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39: // Diners Club
		return "diners", in(14, 19)
	case p4 == 9792: // Troy
		return "troy", n == 16
	case p6 >= 506099 && p6 <= 506198 || p6 >= 650002 && p6 <= 650027: // Verve
		return "verve", n == 16 || n == 18 || n == 19
	case p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65 || p6 >= 622126 && p6 <= 622925: // Discover (and RuPay's 65)
		return "discover", in(16, 19)
	case p2 == 62 || p4 >= 8100 && p4 <= 8171: // UnionPay
		return "unionpay", in(14, 19)
	case p2 == 60 || p2 == 81 || p2 == 82 || p3 == 508 || p3 == 353 || p3 == 356: // RuPay
		return "rupay", n == 16
	case p3 == 636: // InterPayment
		return "interpayment", in(16, 19)
	case p3 >= 637 && p3 <= 639: // InstaPayment
		return "instapayment", n == 16
	case p4 == 5019: // Dankort
		return "dankort", n == 16
	case p6 == 606282 || p4 == 3841: // Hipercard
		return "hipercard", n == 16 || n == 19
	case p2 == 50 || p2 >= 56 && p2 <= 58 || p2 == 63 || p2 == 67 || p2 == 66 || p2 == 69: // Maestro and national debit schemes
		return "maestro", in(12, 19)
	}
	return "", false
}

func redactCard(d []byte) string {
	return string(d[:4]) + " **** **** " + string(d[len(d)-4:])
}

// ssn checks a run read as 123-45-6789, 123 45 6789, 123.45.6789 or
// 123456789, rejects the numbers the Social Security Administration never
// issues (area 000, 666 and 900-999, group 00, serial 0000, the 987-65-432x
// advertising range) and the numbers published as examples, and gives the
// confidence its spelling and a nearby keyword earn.
func ssn(b []byte, i, j int, r *numberRun, res Result, st *scanState) {
	d := r.digits[:9]
	area, group, serial := string(d[0:3]), string(d[3:5]), string(d[5:9])
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" || allSame(d) {
		return
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return
	}
	keyword := nearWords(b, i, j, 40, 20, ssnWords) || hasWordFold(st.firstLine(), ssnWords) && bytes.ContainsAny(st.firstLine(), ",;\t|")
	var conf Confidence
	switch r.sep {
	case '-':
		conf = Medium
		if !keyword && (numericNeighbours(b, i, j, 32, 2, 1) || namedOtherwise(b, i)) {
			conf = Low // among other numbers, or the value of a field named otherwise ("case_no": "…")
		}
	case ' ':
		if !keyword && numericNeighbours(b, i, j, 32, 2, 1) {
			return // 348 98 1038 in a table of numbers
		}
		conf = Low
	case '.':
		conf = Low
	default:
		if !keyword {
			return // nine digits are too common to be an SSN on their own
		}
		conf = Low
	}
	if keyword {
		conf++
	}
	res.add(USSSN, "***-**-"+serial, conf)
}

// namedOtherwise reports whether the value at i is assigned to a name on
// its line, `name: value`, `"name": "value"` or `name = value` (the name's
// words are not an SSN keyword, or keyword would have been found): the
// field says what the value is, and it says something else.
func namedOtherwise(b []byte, i int) bool {
	k := i
	if k > 0 && (b[k-1] == '"' || b[k-1] == '\'') {
		k--
	}
	for k > 0 && (b[k-1] == ' ' || b[k-1] == '\t') {
		k--
	}
	if k == 0 || b[k-1] != ':' && b[k-1] != '=' {
		return false
	}
	k--
	for k > 0 && (b[k-1] == ' ' || b[k-1] == '\t') {
		k--
	}
	if k > 0 && (b[k-1] == '"' || b[k-1] == '\'') {
		k--
	}
	e := k
	for k > 0 && (isWordByte(b[k-1]) || b[k-1] == '-' || b[k-1] == '.') {
		k--
	}
	return e-k >= 2
}
