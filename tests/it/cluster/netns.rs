//! A network namespace for one Paja node, so the test can cut that node off from NATS while
//! its phones stay connected: two veth pairs, one carrying NATS (the servers listen on every
//! address, so on the root side of this link too) and one carrying the phones. Cutting =
//! `ip link set <nats veth> down`; healing = up again. Needs root (CI is root): a test using
//! it fails with a clear message otherwise, it never passes without having cut anything.

use std::net::Ipv4Addr;
use std::process::Command;

/// A namespace with its two links; removed on drop (which removes the veths too).
pub struct Netns {
    pub name: String,
    /// The root side of the NATS link: the address the namespaced node dials NATS on.
    pub nats_root: Ipv4Addr,
    /// The namespace side of the phone link: where phones reach the node.
    pub phone_ns: Ipv4Addr,
    /// The root-side interface of the NATS link (what [`Netns::cut`] downs).
    nats_veth: String,
}

/// Runs `ip args…`, failing the test with its output.
pub fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ip ({e}): install iproute2"));
    assert!(
        output.status.success(),
        "ip {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Whether this process is root (network namespaces need it).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Netns {
    /// Creates `paja-rig-<random>` with its links on a random `10.x.y.0/29`.
    pub fn create() -> Netns {
        assert!(
            is_root(),
            "this test cuts a Paja node off from NATS with a network namespace and veth pairs, \
             which needs root (CI runs as root): run it as root, e.g. sudo -E cargo test …"
        );
        let tag = format!("{:04x}", crate::support::random_below(0x10000));
        let (x, y) = (
            100 + crate::support::random_below(100) as u8,
            crate::support::random_below(250) as u8,
        );
        let name = format!("paja-rig-{tag}");
        let nats_veth = format!("pjn{tag}r");
        let nats_peer = format!("pjn{tag}n");
        let phone_veth = format!("pjp{tag}r");
        let phone_peer = format!("pjp{tag}n");
        let addr = |last: u8| Ipv4Addr::new(10, x, y, last);
        ip(&["netns", "add", &name]);
        let netns = Netns {
            name: name.clone(),
            nats_root: addr(1),
            phone_ns: addr(6),
            nats_veth: nats_veth.clone(),
        };
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        for (root, peer, root_ip, ns_ip) in [
            (&nats_veth, &nats_peer, addr(1), addr(2)),
            (&phone_veth, &phone_peer, addr(5), addr(6)),
        ] {
            ip(&["link", "add", root, "type", "veth", "peer", "name", peer]);
            ip(&["link", "set", peer, "netns", &name]);
            ip(&["addr", "add", &format!("{root_ip}/30"), "dev", root]);
            ip(&[
                "-n",
                &name,
                "addr",
                "add",
                &format!("{ns_ip}/30"),
                "dev",
                peer,
            ]);
            ip(&["link", "set", root, "up"]);
            ip(&["-n", &name, "link", "set", peer, "up"]);
        }
        netns
    }

    /// Cuts the node off from NATS (its phones stay connected).
    pub fn cut(&self) {
        ip(&["link", "set", &self.nats_veth, "down"]);
    }

    /// Reconnects it.
    pub fn heal(&self) {
        ip(&["link", "set", &self.nats_veth, "up"]);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting the namespace destroys the peers, and with them the root-side veths.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}
