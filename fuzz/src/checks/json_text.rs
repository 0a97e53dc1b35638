//! Raw text of JSON members and elements, for checks that compare a parsed value with the
//! number text it was read from (`json_rows`: a Float is `str::parse::<f32>` of its text).

/// The members of a JSON object's text: decoded keys with their values' raw text.
pub fn members(text: &[u8]) -> Option<Vec<(String, &[u8])>> {
    let mut s = Scan { b: text, i: 0 };
    s.ws();
    s.eat(b'{')?;
    let mut out = Vec::new();
    s.ws();
    if s.eat(b'}').is_some() {
        return Some(out);
    }
    loop {
        s.ws();
        let k = s.i;
        s.value()?;
        let key: String = serde_json::from_slice(&text[k..s.i]).ok()?;
        s.ws();
        s.eat(b':')?;
        s.ws();
        let v = s.i;
        s.value()?;
        out.push((key, &text[v..s.i]));
        s.ws();
        if s.eat(b',').is_none() {
            s.eat(b'}')?;
            return Some(out);
        }
    }
}

/// The raw text of a JSON array's elements.
pub fn elements(text: &[u8]) -> Option<Vec<&[u8]>> {
    let mut s = Scan { b: text, i: 0 };
    s.eat(b'[')?;
    let mut out = Vec::new();
    s.ws();
    if s.eat(b']').is_some() {
        return Some(out);
    }
    loop {
        s.ws();
        let v = s.i;
        s.value()?;
        out.push(&text[v..s.i]);
        s.ws();
        if s.eat(b',').is_none() {
            s.eat(b']')?;
            return Some(out);
        }
    }
}

/// A skipper over valid JSON text.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.b.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                _ => self.i += 1,
            }
        }
    }

    /// Skips one value: a string, a nested object or array, or a scalar.
    fn value(&mut self) -> Option<()> {
        match self.b.get(self.i)? {
            b'"' => self.string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.b.get(self.i)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while !matches!(
                    self.b.get(self.i),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }
}
