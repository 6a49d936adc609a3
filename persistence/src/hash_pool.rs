//! Password hashing on a bounded pool: one worker per core, each hashing into its own memory
//! blocks, allocated once and reused, so that memory stays flat whatever the login load (argon2
//! needs 19 MiB per hash; an allocator keeps what concurrent hashes once took). Requests beyond
//! what the queue holds are refused at once ([`Error::Busy`]): latency grows by queueing up to a
//! bound, then the client is told to come back.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::phc::{Output, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::{Error, Result};

/// Jobs waiting per worker before new ones are refused: at about 25 ms a hash, a second and a
/// half of waiting at most.
pub const QUEUE_PER_WORKER: usize = 64;

/// Seconds a refused client is told to wait.
pub const RETRY_AFTER_SECS: i64 = 1;

enum Job {
    Hash {
        password: String,
        reply: mpsc::Sender<Result<String>>,
    },
    Verify {
        password: String,
        stored: String,
        reply: mpsc::Sender<bool>,
    },
}

/// A bounded pool of hashing workers.
pub struct HashPool {
    jobs: SyncSender<Job>,
}

impl HashPool {
    /// Starts `workers` threads sharing a queue of `queue` jobs.
    pub fn new(workers: usize, queue: usize) -> Self {
        let (jobs, rx) = mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers.max(1) {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("hash-{i}"))
                .spawn(move || work(&rx))
                .expect("hashing worker starts");
        }
        Self { jobs }
    }

    /// The service's pool: one worker per core.
    pub fn global() -> &'static HashPool {
        static POOL: OnceLock<HashPool> = OnceLock::new();
        POOL.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            HashPool::new(cores, cores * QUEUE_PER_WORKER)
        })
    }

    fn submit<T>(&self, job: impl FnOnce(mpsc::Sender<T>) -> Job) -> Result<T> {
        let (reply, answer) = mpsc::channel();
        match self.jobs.try_send(job(reply)) {
            Ok(()) => answer
                .recv()
                .map_err(|_| Error::Secret("the hashing worker stopped".into())),
            Err(TrySendError::Full(_)) => Err(Error::Busy(RETRY_AFTER_SECS)),
            Err(TrySendError::Disconnected(_)) => {
                Err(Error::Secret("the hashing pool stopped".into()))
            }
        }
    }

    /// Hashes a password with argon2id and OWASP's parameters (19 MiB, 2 passes, 1 lane).
    pub fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_string();
        self.submit(|reply| Job::Hash { password, reply })?
    }

    /// Whether `password` matches the stored hash.
    pub fn verify(&self, password: &str, stored: &str) -> Result<bool> {
        let (password, stored) = (password.to_string(), stored.to_string());
        self.submit(|reply| Job::Verify {
            password,
            stored,
            reply,
        })
    }
}

fn work(rx: &Mutex<Receiver<Job>>) {
    // This worker's memory, grown once to what the largest stored hash asks, then reused.
    let mut blocks: Vec<Block> = vec![Block::default(); Params::default().block_count()];
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(hash_into(&mut blocks, &password));
            }
            Job::Verify {
                password,
                stored,
                reply,
            } => {
                let _ = reply.send(verify_into(&mut blocks, &password, &stored).unwrap_or(false));
            }
        }
    }
}

/// Hashes `password` with `salt` into `out` in this worker's memory, grown once to what the
/// parameters ask.
fn compute(
    blocks: &mut Vec<Block>,
    (algorithm, version, params): (Algorithm, Version, &Params),
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let needed = params.block_count();
    if blocks.len() < needed {
        blocks.resize(needed, Block::default());
    }
    Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        out,
        &mut blocks[..needed],
    )
}

fn hash_into(blocks: &mut Vec<Block>, password: &str) -> Result<String> {
    let secret = |e: &dyn std::fmt::Display| Error::Secret(e.to_string());
    let params = Params::default();
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let how = (Algorithm::Argon2id, Version::V0x13, &params);
    compute(blocks, how, password, &salt, &mut out).map_err(|e| secret(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| secret(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| secret(&e))?),
    };
    Ok(hash.to_string())
}

fn verify_into(blocks: &mut Vec<Block>, password: &str, stored: &str) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let mut out = vec![0u8; expected.len()];
    compute(
        blocks,
        (algorithm, version, &params),
        password,
        &salt,
        &mut out,
    )
    .ok()?;
    // Output compares in constant time.
    Some(Output::new(&out).ok()? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn hashes_read_back_with_the_library_and_the_library_s_with_the_pool() {
        let pool = HashPool::new(1, 4);
        let ours = pool.hash("Lieusaint#2026!").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(Argon2::default()
            .verify_password(b"Lieusaint#2026!", ours.as_str())
            .is_ok());
        assert!(pool.verify("Lieusaint#2026!", &ours).unwrap());
        assert!(!pool.verify("lieusaint#2026!", &ours).unwrap());
        // A hash made elsewhere (before the pool existed), and one with other parameters.
        use argon2::PasswordHasher;
        let theirs = Argon2::default()
            .hash_password(b"Mot-de-passe")
            .unwrap()
            .to_string();
        assert!(pool.verify("Mot-de-passe", &theirs).unwrap());
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"Mot-de-passe")
        .unwrap()
        .to_string();
        assert!(pool.verify("Mot-de-passe", &bigger).unwrap());
        assert!(!pool.verify("Mot-de-passe", "not a hash").unwrap());
    }

    #[test]
    fn past_its_queue_the_pool_refuses_at_once() {
        let pool = Arc::new(HashPool::new(1, 1));
        let hash = pool.hash("x-password").unwrap();
        let answers: Vec<Result<bool>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let pool = Arc::clone(&pool);
                    let hash = hash.clone();
                    s.spawn(move || pool.verify("x-password", &hash))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let busy = answers
            .iter()
            .filter(|a| matches!(a, Err(Error::Busy(RETRY_AFTER_SECS))))
            .count();
        let done = answers.iter().filter(|a| matches!(a, Ok(true))).count();
        assert_eq!(busy + done, 8, "{answers:?}");
        assert!(busy >= 1 && done >= 1, "{answers:?}");
    }
}
