//! Seeded draws. Every random choice of a simulation goes through one `ChaCha8Rng`, consumed
//! in a fixed order, so the same scenario and seed give the same bytes.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::spec::Param;

/// A per-orchestrator value of a [`Param`].
pub(crate) fn draw(rng: &mut ChaCha8Rng, p: Param) -> f64 {
    match p {
        Param::Fixed(v) => v,
        Param::Range([low, high]) if low == high => low,
        Param::Range([low, high]) => rng.random_range(low..=high),
    }
}

/// A standard normal draw (Box–Muller).
pub(crate) fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A normal draw.
pub(crate) fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    mean + sd * standard_normal(rng)
}

/// A log-normal draw by median and standard deviation of the logarithm.
pub(crate) fn log_normal(rng: &mut ChaCha8Rng, median: f64, spread: f64) -> f64 {
    median * (spread * standard_normal(rng)).exp()
}

/// Time to the next event of a Poisson process of `rate_per_ms`, in ms.
pub(crate) fn exponential_ms(rng: &mut ChaCha8Rng, rate_per_ms: f64) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    -u.ln() / rate_per_ms
}

/// One of the items, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A random UUIDv4, as go-livepeer gives every envelope.
pub(crate) fn uuid(rng: &mut ChaCha8Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A random lowercase Ethereum address.
pub(crate) fn address(rng: &mut ChaCha8Rng) -> String {
    let b: [u8; 20] = rng.random();
    format!("0x{}", hex::encode(b))
}

/// `len` random lowercase hex digits.
pub(crate) fn hex_digits(rng: &mut ChaCha8Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap())
        .collect()
}

/// Epoch milliseconds as RFC 3339 UTC with milliseconds, as go-livepeer prints times.
pub(crate) fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `len` random characters of `[a-z0-9]`.
pub(crate) fn short_id(rng: &mut ChaCha8Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Eight lowercase hex digits, like go-livepeer's request ids.
pub(crate) fn request_id(rng: &mut ChaCha8Rng) -> String {
    format!("{:08x}", rng.random::<u32>())
}

/// Mixed case like an EIP-55 address: capabilities carry checksummed addresses, stream
/// events lowercase ones (consumers lowercase every address, so the exact checksum does not
/// matter).
pub(crate) fn checksum_like(address: &str) -> String {
    address
        .char_indices()
        .map(|(i, c)| if i % 3 == 0 && i > 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}
