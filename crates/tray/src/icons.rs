//! The tray's icons (64×64 PNGs in `icons/`), decoded once to RGBA for each system's tray.

use crate::menu::Look;

/// One icon as straight RGBA rows.
#[derive(Debug, Clone)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// The icon for `look`; `None` (logged) if it cannot be decoded, and the tray then shows its
/// title or an empty icon rather than a broken one.
pub fn decode(look: Look) -> Option<Rgba> {
    let bytes: &[u8] = match look {
        Look::Normal => include_bytes!("../../../icons/tray.png"),
        Look::Paused => include_bytes!("../../../icons/tray-paused.png"),
        Look::Error => include_bytes!("../../../icons/tray-error.png"),
        Look::Unread => include_bytes!("../../../icons/tray-unread.png"),
    };
    let decoded = (|| -> Result<Rgba, png::DecodingError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
        let mut reader = decoder.read_info()?;
        let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut pixels)?;
        pixels.truncate(info.buffer_size());
        Ok(Rgba {
            width: info.width,
            height: info.height,
            pixels,
        })
    })();
    decoded
        .inspect_err(|e| tracing::warn!(?look, error = %e, "a tray icon could not be decoded"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_decodes_to_rgba_and_they_differ() {
        let icons: Vec<Rgba> = [Look::Normal, Look::Paused, Look::Error, Look::Unread]
            .into_iter()
            .map(|look| decode(look).expect("decodes"))
            .collect();
        for icon in &icons {
            assert_eq!((icon.width, icon.height), (64, 64));
            assert_eq!(icon.pixels.len(), 64 * 64 * 4);
            assert!(icon.pixels.chunks_exact(4).any(|p| p[3] == 255), "some pixel is opaque");
        }
        assert_ne!(icons[0].pixels, icons[1].pixels);
    }
}
