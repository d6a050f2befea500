package dlp

// notSecrets are the built-in detectors that find personal or financial
// data rather than credentials.
var notSecrets = map[string]bool{PaymentCard: true, IBAN: true, USSSN: true, UKNINO: true}

// IsSecret reports whether name is a built-in detector of credentials
// (keys, tokens, private keys, passwords in connection strings).
func IsSecret(name string) bool { return IsBuiltin(name) && !notSecrets[name] }

// SecretConfidence is the lowest confidence ScanSecrets counts: the
// minimum of the shipped credentials_and_secrets profile, which leaves out
// key-shaped strings without their provider's marker.
const SecretConfidence = Medium

// ScanSecrets scans a text the APIs send in the clear (a GPT's
// instructions, the OpenAPI definition of its action) for credentials:
// the built-in credential detectors, matches of SecretConfidence or
// higher. Payment cards, IBANs, national identifiers and custom detectors
// are left out: they are not credentials, and the DLP profiles decide on
// them in files. Like Scan, it keeps counts and redacted samples only.
func (s *Scanner) ScanSecrets(text []byte) Result {
	res := s.Scan(text).AtLeast(SecretConfidence)
	for name := range res {
		if !IsSecret(name) {
			delete(res, name)
		}
	}
	return res
}
