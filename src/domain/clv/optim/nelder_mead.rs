//! The derivative-free Nelder–Mead simplex search that finds the basin of the likelihood from
//! each starting point (standard coefficients: reflection 1, expansion 2, contraction ½,
//! shrink ½).

/// f(x), with NaN read as +∞ (a point where the model is undefined is simply worse).
pub(super) fn safe(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> f64 {
    let v = f(x);
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// Nelder–Mead from `start` (initial simplex: +0.5 on each coordinate), stopped coarsely: the
/// simplex only has to find the basin, BFGS polishes. Returns the best vertex and its value.
pub(super) fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    max_iter: u32,
    iterations: &mut u32,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        if let Some(v) = p.get_mut(i) {
            *v += 0.5;
        }
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| safe(f, p)).collect();
    for _ in 0..max_iter {
        *iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[n]);
        // Coarse: the simplex only has to find the basin; BFGS polishes.
        if best.is_finite() && (worst - best).abs() <= 1e-4 * (1.0 + best.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|k| simplex[..n].iter().map(|p| p[k]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|k| centroid[k] + t * (simplex[n][k] - centroid[k]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = safe(f, &xr);
        if fr < values[0] {
            let xe = along(-2.0);
            let fe = safe(f, &xe);
            if fe < fr {
                simplex[n] = xe;
                values[n] = fe;
            } else {
                simplex[n] = xr;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = xr;
            values[n] = fr;
        } else {
            let xc = if fr < values[n] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = safe(f, &xc);
            if fc < values[n].min(fr) {
                simplex[n] = xc;
                values[n] = fc;
            } else {
                for i in 1..=n {
                    let p: Vec<f64> = (0..n)
                        .map(|k| simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]))
                        .collect();
                    values[i] = safe(f, &p);
                    simplex[i] = p;
                }
            }
        }
    }
    let mut bi = 0;
    for i in 1..=n {
        if values[i] < values[bi] {
            bi = i;
        }
    }
    (simplex[bi].clone(), values[bi])
}
